import logging

import pytest
from fastapi.testclient import TestClient
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.main import create_app
from tests.helpers import assert_problem


def test_unknown_route_is_404_problem(client):
    body = assert_problem(client.get("/v2/anything"), 404, "not-found")
    assert body["instance"] == "/v2/anything"


def test_wrong_method_is_405_problem(client):
    response = client.delete("/v1/topics")
    assert_problem(response, 405, "method-not-allowed")
    assert "GET" in response.headers["allow"]


@pytest.mark.parametrize(
    ("url", "loc"),
    [
        ("/v1/claims?verdict=true", ["query", "verdict"]),
        ("/v1/claims?min_certainty=certain", ["query", "min_certainty"]),
        ("/v1/claims?sort=random", ["query", "sort"]),
        ("/v1/claims?topic=Bad%20Topic", ["query", "topic"]),
        ("/v1/claims?status=deleted", ["query", "status"]),
        ("/v1/sources?limit=abc", ["query", "limit"]),
    ],
)
def test_bad_parameter_is_422_naming_it(client, url, loc):
    body = assert_problem(client.get(url), 422, "invalid-parameters")
    assert [error["loc"] for error in body["errors"]] == [loc]
    assert ".".join(loc) in body["detail"]


def test_hostile_inputs_never_500(client):
    for url in [
        "/v1/claims?tag=%00",
        "/v1/claims?source=" + "a" * 5000,
        "/v1/topics/%F0%9F%92%89",
        "/v1/claims?cursor=",
    ]:
        assert client.get(url).status_code < 500, url


def test_unreachable_database_is_503_with_retry_after():
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none")
    with TestClient(create_app(settings), raise_server_exceptions=False) as down:
        response = down.get("/v1/topics")
        assert_problem(response, 503, "database-unavailable")
        assert response.headers["retry-after"] == "5"
        assert down.get("/readyz").status_code == 503
        assert down.get("/healthz").status_code == 200


class _FailingLayer:
    """A layer of the service's own with a bug on one path, raised before any answer starts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/v1/topics":
            raise RuntimeError("a bug in a layer")
        await self.app(scope, receive, send)


def test_an_error_in_the_services_own_layers_is_a_logged_500_problem_with_every_default_header(bundled_url, caplog):
    """Those layers sit outside the framework's server-error handler: the outermost one answers for them."""
    app = create_app(Settings(database_url=bundled_url))
    app.user_middleware.insert(1, Middleware(_FailingLayer))  # just inside RequestContext, the outermost
    with caplog.at_level(logging.ERROR, logger="app.errors"), TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/v1/topics", headers={"X-Request-Id": "req-42"})
        assert client.get("/v1/claims?limit=1").status_code == 200
    body = assert_problem(response, 500, "internal-error")
    assert body["request_id"] == response.headers["x-request-id"] == "req-42" and "req-42" in body["detail"]
    assert response.headers["x-content-type-options"] == "nosniff" and "Origin" in response.headers["vary"]
    assert any("a bug in a layer" in str(record.exc_info[1]) for record in caplog.records if record.exc_info)

import pytest
from fastapi.testclient import TestClient

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

"""The hot read layer serves plain claim details and lists itself, with exactly the routes' bytes and headers."""

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from starlette.types import Receive, Scope, Send

from app.api import hot_reads
from app.api.deps import get_engine
from app.api.hot_reads import HotReads
from app.config import Settings
from app.dataset import Dataset
from app.main import create_app
from tests.conftest import ON_POSTGRES, NewDatabase, migrated_and_loaded
from tests.helpers import assert_problem, vetted

# Headers that differ between any two exchanges, whoever answers.
_PER_EXCHANGE = {"x-request-id", "ratelimit-remaining", "ratelimit-reset"}


def _uncached_app(url: str, **settings: object) -> FastAPI:
    return create_app(Settings(database_url=url, response_cache_entries=0, **settings))


@pytest.fixture(scope="module")
def routes_only(bundled_url: str) -> Iterator[TestClient]:
    """The app without the hot read layer: every request answered by the routes."""
    with TestClient(_without_layer(_uncached_app(bundled_url))) as client:
        yield client


def _without_layer(app: FastAPI) -> FastAPI:
    app.user_middleware = [layer for layer in app.user_middleware if layer.cls is not HotReads]
    return app


def _routes_refuse() -> None:
    raise HTTPException(status_code=503, detail="the routes are off in this test")


@pytest.fixture(scope="module")
def layer_only(bundled_url: str) -> Iterator[TestClient]:
    """The app whose routes cannot reach the database: a 200 for a claim can come from the layer alone."""
    with TestClient(_refusing_routes(_uncached_app(bundled_url))) as client:
        yield client


def _refusing_routes(app: FastAPI) -> FastAPI:
    app.dependency_overrides[get_engine] = _routes_refuse
    return app


def _exchange(response: object) -> tuple[int, bytes, list[tuple[str, str]]]:
    headers = [(name, value) for name, value in response.headers.multi_items() if name not in _PER_EXCHANGE]  # type: ignore[attr-defined]
    return response.status_code, response.content, headers  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Accept": "*/*"},
        {"Accept": "application/json"},
        {"Accept": "text/html;q=0.5, application/json"},
        {"Accept-Encoding": "gzip"},
        {"Accept": "application/fhir+json"},
        {"Accept": "application/ld+json"},
    ],
    ids=["no-accept", "any", "json", "json-preferred", "gzip", "fhir", "json-ld"],
)
def test_a_plain_claim_read_is_the_routes_answer_byte_for_byte(
    uncached: TestClient, routes_only: TestClient, bundled: Dataset, headers: dict[str, str]
) -> None:
    for claim in vetted(bundled):
        url = f"/v1/claims/{claim.id}"
        assert _exchange(uncached.get(url, headers=headers)) == _exchange(routes_only.get(url, headers=headers))


def test_conditional_and_head_requests_match_the_routes_too(
    uncached: TestClient, routes_only: TestClient, bundled: Dataset
) -> None:
    url = f"/v1/claims/{vetted(bundled)[0].id}"
    tag = uncached.get(url).headers["etag"]
    for client in (uncached, routes_only):
        assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    assert _exchange(uncached.head(url)) == _exchange(routes_only.head(url))


@pytest.fixture(scope="module")
def cached_routes_only(bundled_url: str) -> Iterator[TestClient]:
    """The app with its response cache but without the hot read layer."""
    settings = Settings(database_url=bundled_url, metrics_clients=["*"])
    with TestClient(_without_layer(create_app(settings))) as client:
        yield client


@pytest.mark.parametrize("headers", [{}, {"Accept-Encoding": "gzip"}, {"Accept": "application/fhir+json"}])
def test_with_the_cache_on_misses_hits_and_304s_match_the_stacks(
    client: TestClient, cached_routes_only: TestClient, bundled: Dataset, headers: dict[str, str]
) -> None:
    """The layer keeps and replays through the cache's own store: the same bytes as the cache behind the guard."""
    for url in [f"/v1/claims/{claim.id}" for claim in vetted(bundled)[:4]] + ["/v1/claims?limit=3", "/v1/claims"]:
        for _ in range(2):  # a miss or a hit, then a hit
            ours, theirs = client.get(url, headers=headers), cached_routes_only.get(url, headers=headers)
            assert _exchange(ours) == _exchange(theirs)
        conditional = headers | {"If-None-Match": ours.headers["etag"]}
        ours, theirs = client.get(url, headers=conditional), cached_routes_only.get(url, headers=conditional)
        assert ours.status_code == 304 and _exchange(ours) == _exchange(theirs)


def test_the_guard_in_front_still_refuses_what_it_must(layer_only: TestClient, bundled: Dataset) -> None:
    url = f"/v1/claims/{vetted(bundled)[0].id}"
    assert_problem(layer_only.get(url, headers={"Host": "evil.example"}), 400, "host-not-allowed")
    assert_problem(layer_only.get("/v1/claims?q=" + "a" * 40_000), 414, "uri-too-long")
    assert_problem(layer_only.get("/v1/claims?topics=mechanism"), 400, "unknown-parameters")
    # A body is the body limit's to judge, and the routes' to refuse here.
    assert layer_only.request("GET", url, content=b"{}").status_code == 503
    assert layer_only.get(url).status_code == 200


def test_the_layers_answers_are_kept_counted_and_named_for_metrics(bundled_url: str, bundled: Dataset) -> None:
    url = f"/v1/claims/{vetted(bundled)[0].id}"
    settings = Settings(database_url=bundled_url, metrics_clients=["*"])
    with TestClient(_refusing_routes(create_app(settings))) as served:  # only the layer can answer a claim
        first = served.get(url)
        assert first.status_code == 200
        assert served.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        scraped = served.get("/metrics").text
    route = 'route="/v1/claims/{claim_id}"'
    assert f'http_response_cache_lookups_total{{result="miss",{route}}} 1.0' in scraped
    assert f'http_response_cache_lookups_total{{result="hit",{route}}} 1.0' in scraped
    assert f'http_requests_total{{method="GET",{route},status="304"}} 1.0' in scraped


def test_the_layer_answers_plain_reads_and_passes_on_the_rest(layer_only: TestClient, bundled: Dataset) -> None:
    claim = vetted(bundled)[0]
    url = f"/v1/claims/{claim.id}"
    plain = layer_only.get(url)
    assert plain.status_code == 200
    assert plain.json()["id"] == claim.id
    assert plain.headers["content-type"] == "application/json"
    assert "Accept" in [name.strip() for name in plain.headers["vary"].split(",")]
    assert layer_only.get(url, headers={"Accept": "application/fhir+json"}).json()["resourceType"] == "Evidence"
    # What the layer does not answer reaches the routes, which refuse everything here.
    assert layer_only.get(url, headers={"Accept": "text/csv"}).status_code == 503
    assert layer_only.get(url, headers={"Authorization": "Bearer some-key"}).status_code == 503
    assert layer_only.get("/v1/claims/no-such-claim").status_code == 503


def test_what_the_layer_passes_on_keeps_the_routes_errors(uncached: TestClient, bundled: Dataset) -> None:
    url = f"/v1/claims/{vetted(bundled)[0].id}"
    assert uncached.get("/v1/claims/no-such-claim").headers["content-type"] == "application/problem+json"
    assert uncached.get(url, headers={"Accept": "text/csv"}).status_code == 406
    assert uncached.get(url, headers={"Authorization": "Bearer not-a-key"}).status_code == 401
    assert uncached.get(url, headers={"Accept": "application/fhir+json"}).json()["resourceType"] == "Evidence"


LISTS = [
    "/v1/claims",
    "/v1/claims?limit=3",
    "/v1/claims?topic=mechanism",
    "/v1/claims?verdict=partly-supported&limit=2",
    "/v1/claims?min_certainty=moderate&sort=-updated_at&limit=4",
    "/v1/claims?sort=certainty&limit=5&topic=efficacy",
    "/v1/claims?q=glutamate",
    "/v1/claims?q=ketamine%20ECT&limit=2",
    "/v1/claims?q=ketamine&sort=id&limit=3",
    "/v1/claims?q=%22nasal%20spray%22%20OR%20esketamine&topic=access-and-coverage&limit=1",
    "/v1/claims?q=",
    "/v1/claims?q=%E2%9C%A8",
    # passed on: the routes answer these, with an error or by their own reading
    "/v1/claims?limit=0",
    "/v1/claims?limit=050",
    "/v1/claims?limit=201",
    "/v1/claims?limit=" + "9" * 5000,
    "/v1/claims?verdict=maybe",
    "/v1/claims?topic=Mechanism",
    "/v1/claims?limit=2&limit=3",
    "/v1/claims?cursor=forged",
    "/v1/claims?sort=relevance",
    "/v1/claims?q=ketamine&facets=topic",
    "/v1/claims?q=ketamine&q=ect",
]


@pytest.mark.parametrize("url", LISTS)
def test_every_page_of_a_list_is_the_routes_answer_byte_for_byte(
    uncached: TestClient, routes_only: TestClient, url: str
) -> None:
    while True:
        ours, theirs = uncached.get(url), routes_only.get(url)
        assert _exchange(ours) == _exchange(theirs)
        cursor = ours.json().get("next_cursor") if ours.status_code == 200 else None
        if cursor is None:
            break
        url = ours.links["next"]["url"]


def test_the_layer_pages_through_a_list_itself(layer_only: TestClient, bundled: Dataset) -> None:
    ids, url = [], "/v1/claims?limit=4&sort=-updated_at"
    while url:
        page = layer_only.get(url)
        assert page.status_code == 200
        ids += [item["id"] for item in page.json()["items"]]
        url = page.links.get("next", {}).get("url")
    assert sorted(ids) == sorted(claim.id for claim in vetted(bundled))
    searched = layer_only.get("/v1/claims?q=glutamate")
    assert searched.status_code == 200 and searched.json()["total"] > 0
    assert "<mark>" in searched.json()["items"][0]["match"]["fragment"]
    assert layer_only.get("/v1/claims?q=glutamate&facets=topic").status_code == 503
    assert layer_only.get("/v1/claims?limit=0").status_code == 503
    assert layer_only.get("/v1/claims?cursor=forged").status_code == 503


class _Threads:
    """Which thread ran the event loop, and which ran each SQL statement, over the requests of a test."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.loop: set[int] = set()
        self.statements: list[int] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.loop.add(threading.get_ident())
        await self.app(scope, receive, send)

    def record(self, *_: Any) -> None:
        self.statements.append(threading.get_ident())

    def of(self, client: TestClient, url: str) -> set[int]:
        """The threads that ran `url`'s statements."""
        self.statements.clear()
        assert client.get(url).status_code == 200
        return set(self.statements)


def test_sqlite_reads_in_index_order_run_on_the_event_loop_and_the_rest_on_threads(bundled_url: str) -> None:
    threads = _Threads(_uncached_app(bundled_url))
    with TestClient(threads) as client:  # type: ignore[arg-type]
        event.listen(threads.app.state.engine, "before_cursor_execute", threads.record)
        first = client.get("/v1/claims?limit=2")  # reads the cursor secret and counts, once
        claim = "/v1/claims/" + first.json()["items"][0]["id"]
        in_index_order = [first.links["next"]["url"], "/v1/claims?limit=2", claim]
        others = ["/v1/claims?sort=certainty&limit=2", "/v1/claims?sort=-updated_at", "/v1/claims?q=glutamate"]
        for url in [] if ON_POSTGRES else in_index_order:
            assert threads.of(client, url) == threads.loop, url
        for url in others + in_index_order if ON_POSTGRES else others:
            ran = threads.of(client, url)
            assert ran and ran.isdisjoint(threads.loop), url


@pytest.mark.skipif(ON_POSTGRES, reason="the loop's budget is SQLite's: PostgreSQL reads all run on threads")
def test_a_read_past_the_loops_budget_is_handed_to_the_routes(
    many_claims_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting 522 claims takes thousands of SQLite steps: with no budget at all, the layer must give it up."""
    monkeypatch.setattr(hot_reads, "LOOP_BUDGET", 0.0)
    url = "/v1/claims?limit=50"
    with TestClient(_refusing_routes(_uncached_app(many_claims_url))) as layer_only:
        claim = layer_only.get("/v1/claims/ect-more-efficacious-than-ketamine")
        assert claim.status_code == 200  # a read by key stops before the budget is ever checked
        assert layer_only.get(url).status_code == 503  # the routes refuse everything here
    with (
        TestClient(_uncached_app(many_claims_url)) as app,
        TestClient(_without_layer(_uncached_app(many_claims_url))) as routes,
    ):
        ours = app.get(url)
        assert ours.status_code == 200 and len(ours.json()["items"]) == 50
        assert _exchange(ours) == _exchange(routes.get(url))


def test_reads_on_the_loop_share_one_kept_connection_that_sees_every_commit(
    new_database: NewDatabase, bundled: Dataset
) -> None:
    """No pool checkout per read on SQLite, and no stale view: a claim changed by another connection reads changed."""
    claim_id = vetted(bundled)[0].id
    with TestClient(_uncached_app(migrated_and_loaded(new_database(), bundled))) as client:
        engine = client.app.state.engine  # type: ignore[attr-defined]
        assert client.get("/v1/claims?limit=2").status_code == 200  # the cursor secret and the count, once
        checkouts: list[object] = []
        event.listen(engine.pool, "checkout", lambda *_: checkouts.append(None))
        for url in [f"/v1/claims/{claim_id}", "/v1/claims?limit=2", f"/v1/claims/{claim_id}"]:
            assert client.get(url).status_code == 200
        assert len(checkouts) == (3 if ON_POSTGRES else 0)
        with engine.begin() as conn:
            document = conn.execute(text("SELECT document FROM claim WHERE id = :id"), {"id": claim_id}).scalar_one()
            changed = json.dumps({**json.loads(document), "statement": "Changed by another connection."})
            conn.execute(text("UPDATE claim SET document = :doc WHERE id = :id"), {"doc": changed, "id": claim_id})
        assert client.get(f"/v1/claims/{claim_id}").json()["statement"] == "Changed by another connection."
    assert client.app.state.loop_connection.conn is None  # type: ignore[attr-defined]  # closed on shutdown


@pytest.mark.skipif(ON_POSTGRES, reason="only SQLite reads run on the event loop")
def test_a_kept_connection_left_unusable_is_replaced(uncached: TestClient, bundled: Dataset) -> None:
    url = f"/v1/claims/{vetted(bundled)[0].id}"
    expected = _exchange(uncached.get(url))
    kept = uncached.app.state.loop_connection  # type: ignore[attr-defined]
    kept.conn.invalidate()  # as SQLAlchemy does when a statement finds the connection broken
    assert _exchange(uncached.get(url)) == expected
    assert kept.conn is not None and not kept.conn.invalidated
    assert _exchange(uncached.get(url)) == expected

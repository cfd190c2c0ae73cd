"""The response cache: never older than the database, never poisoned, bounded, and honest in metrics."""

import gzip

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from app.config import Settings
from app.dataset import read_dataset
from app.db import create_db_engine
from app.main import create_app
from app.services.loading import load_dataset
from tests.cli.test_check import first_claim, rewrite
from tests.conftest import ANY_CLIENT, ON_POSTGRES, migrated_and_loaded
from tests.helpers import assert_problem, generation, settled, vetted


def metric(client: TestClient, prefix: str) -> float:
    """The value of the one sample line starting with prefix (0 when absent)."""
    lines = [row for row in client.get("/metrics").text.splitlines() if row.startswith(prefix)]
    return float(lines[0].rsplit(" ", 1)[1]) if lines else 0.0


def raw(client: TestClient, url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and the bytes as sent (not decompressed); less those that differ on each request."""
    with client.stream("GET", url, headers=headers) as response:
        assert "ratelimit-remaining" in response.headers  # added outside the cache, never cached
        kept = {
            name: value
            for name, value in response.headers.items()
            if name != "x-request-id" and not name.startswith("ratelimit-")
        }
        return response.status_code, kept, b"".join(response.iter_raw())


def rewrite_first_claim_elsewhere(url: str, data_copy, snippet: str) -> str:
    """Change the first claim's snippet through another engine, as another replica would; its id."""
    path, claim = first_claim(data_copy)
    claim["snippet"] = snippet
    rewrite(path, claim)
    writer = create_db_engine(url)
    load_dataset(engine=writer, dataset=read_dataset(data_copy), changed_by="another replica")
    writer.dispose()
    return claim["id"]


def test_a_write_elsewhere_is_seen_at_once_or_within_the_staleness_bound(new_database, bundled, data_copy):
    """SQLite is read in place: at once. PostgreSQL notifies each worker: within EVIDENCE_GENERATION_MAX_STALENESS."""
    url = migrated_and_loaded(new_database(), bundled)
    settings = Settings(database_url=url, generation_max_staleness=1.0)
    with TestClient(create_app(settings)) as client:
        claim_id = vetted(bundled)[0].id
        before = client.get(f"/v1/claims/{claim_id}")
        assert client.get(f"/v1/claims/{claim_id}").content == before.content
        assert rewrite_first_claim_elsewhere(url, data_copy, "Rewritten snippet for a cache test.") == claim_id
        waited = settled(client, url)
        after = client.get(f"/v1/claims/{claim_id}", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert after.json()["snippet"] == "Rewritten snippet for a cache test."
    assert waited < (settings.generation_max_staleness if ON_POSTGRES else 0.01)


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no listener: its generation is read in place")
def test_without_its_listener_a_worker_asks_the_database(new_database, bundled, data_copy):
    url = migrated_and_loaded(new_database(), bundled)
    settings = Settings(database_url=url, generation_max_staleness=0.5)
    with TestClient(create_app(settings)) as client:
        claim_id = vetted(bundled)[0].id
        client.get(f"/v1/claims/{claim_id}")
        with client.app.state.engine.connect() as conn:  # cut the listener off, as a network fault would
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'"))
        rewrite_first_claim_elsewhere(url, data_copy, "Rewritten while nobody listened.")
        waited = settled(client, url)
        after = client.get(f"/v1/claims/{claim_id}")
    assert after.json()["snippet"] == "Rewritten while nobody listened."
    assert waited < settings.generation_max_staleness


def test_a_cache_hit_asks_the_database_nothing_where_it_notifies(client):
    """PostgreSQL answers a hit from memory alone; SQLite reads its one generation row."""
    client.get("/v1/topics")
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(client.app.state.engine, "before_cursor_execute", listener)
    try:
        for _ in range(3):
            assert client.get("/v1/topics").status_code == 200
    finally:
        event.remove(client.app.state.engine, "before_cursor_execute", listener)
    assert statements == ([] if ON_POSTGRES else ["SELECT generation FROM dataset_state"] * 3), statements


def test_cached_responses_keep_headers_and_bytes(client, bundled):
    url = f"/v1/claims/{vetted(bundled)[0].id}"
    for encoding in ["identity", "gzip"]:
        first = raw(client, url, **{"Accept-Encoding": encoding})
        second = raw(client, url, **{"Accept-Encoding": encoding})
        assert second == first
        status, headers, body = second
        assert status == 200 and headers["content-type"] == "application/json"
        assert int(headers["content-length"]) == len(body)
    paged = client.get("/v1/claims?limit=1")
    assert client.get("/v1/claims?limit=1").headers["link"] == paged.headers["link"]


def test_hits_are_counted_explicitly_under_their_route(client):
    client.get("/v1/sources/seed-article")
    hits = 'http_response_cache_lookups_total{result="hit",route="/v1/sources/{source_id}"}'
    served = 'http_requests_total{method="GET",route="/v1/sources/{source_id}",status="200"}'
    hits_before, served_before = metric(client, hits), metric(client, served)
    for _ in range(3):
        client.get("/v1/sources/seed-article")
    assert metric(client, hits) == hits_before + 3
    assert metric(client, served) == served_before + 3


def test_generation_moves_only_on_real_change(new_database, bundled):
    url = migrated_and_loaded(new_database(), bundled)
    loaded = generation(url)
    assert loaded >= 1
    writer = create_db_engine(url)
    load_dataset(engine=writer, dataset=bundled, changed_by="reload")
    writer.dispose()
    assert generation(url) == loaded


def test_cache_off_serves_the_same_bodies(uncached, client):
    for path in ["/v1/topics", "/v1/claims?limit=3", "/v1/snippets?q=ECT", "/v1/claims?limit=2&topic=safety"]:
        assert uncached.get(path).content == client.get(path).content
        assert uncached.get(path).headers["etag"] == client.get(path).headers["etag"]


def test_a_forged_host_is_refused_and_never_reaches_the_links(bundled_url, client):
    assert_problem(client.get("/v1/claims?limit=2", headers={"Host": "evil.example"}), 400, "host-not-allowed")
    settings = Settings(database_url=bundled_url, allowed_hosts=["*"])
    with TestClient(create_app(settings)) as anything_goes:
        forged = anything_goes.get("/v1/claims?limit=2", headers={"Host": "evil.example"})
        honest = anything_goes.get("/v1/claims?limit=2")
    for response in (forged, honest):
        assert response.headers["link"].startswith("</v1/claims?limit=2&cursor=")
        assert "evil" not in response.headers["link"]


def test_links_use_the_public_url(bundled_url):
    settings = Settings(database_url=bundled_url, public_url="https://api.example.org/")
    with TestClient(create_app(settings)) as public:
        link = public.get("/v1/claims?topic=safety&limit=2").headers["link"]
    assert link.startswith("<https://api.example.org/v1/claims?limit=2&topic=safety&cursor=")


def test_allowed_hosts_take_subdomain_patterns(bundled_url):
    settings = Settings(database_url=bundled_url, allowed_hosts=["*.example.org"])
    with TestClient(create_app(settings)) as served:
        assert served.get("/v1/topics", headers={"Host": "api.example.org:8443"}).status_code == 200
        assert served.get("/v1/topics", headers={"Host": "example.org.evil"}).status_code == 400


def test_parameter_order_shares_one_entry(client):
    hits = 'http_response_cache_lookups_total{result="hit",route="/v1/claims"}'
    first = client.get("/v1/claims?topic=safety&limit=2&sort=id")
    before = metric(client, hits)
    second = client.get("/v1/claims?sort=id&limit=2&topic=safety")
    assert metric(client, hits) == before + 1
    assert second.content == first.content and second.headers["link"] == first.headers["link"]


@pytest.fixture
def small_cache(bundled_url):
    settings = Settings(
        database_url=bundled_url, response_cache_entries=1000, response_cache_bytes=200_000, metrics_clients=ANY_CLIENT
    )
    with TestClient(create_app(settings)) as small:
        yield small


def test_memory_is_bounded_by_bytes(small_cache):
    bodies = 0
    for limit in range(1, 201):
        response = small_cache.get(f"/v1/claims?limit={limit}", headers={"Accept-Encoding": "identity"})
        bodies += len(response.content)
    assert bodies > 1_000_000
    held = metric(small_cache, "http_response_cache_bytes ")
    assert 0 < held <= 200_000
    assert metric(small_cache, "http_response_cache_entries ") < 200


def test_junk_parameters_cannot_flood_the_cache(small_cache):
    small_cache.get("/v1/claims?limit=200")
    held = metric(small_cache, "http_response_cache_entries ")
    for n in range(300):
        body = assert_problem(small_cache.get(f"/v1/claims?limit=200&zz={n}"), 400, "unknown-parameters")
        assert body["errors"] == [{"loc": ["query", "zz"], "msg": "unknown parameter"}]
    assert metric(small_cache, "http_response_cache_entries ") == held


def test_gzip_body_is_the_same_document(client):
    status, headers, body = raw(client, "/v1/claims?limit=200", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip" and "Accept-Encoding" in headers["vary"]
    plain = raw(client, "/v1/claims?limit=200", **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain[1] and gzip.decompress(body) == plain[2]
    assert len(body) < len(plain[2]) / 3
    assert headers["etag"] == "W/" + plain[1]["etag"]


def test_small_bodies_are_not_compressed(client):
    status, headers, body = raw(client, "/v1/topics/safety", **{"Accept-Encoding": "gzip"})
    assert status == 200 and len(body) < 1024 and "content-encoding" not in headers


@pytest.mark.parametrize("responses_kept", [True, False], ids=["response-cache", "no-response-cache"])
def test_a_renamed_source_changes_the_etag_of_claims_citing_it(new_database, bundled, data_copy, responses_kept):
    """Without the response cache, the claim's own read (and its remembered source references) is the subject."""
    url = migrated_and_loaded(new_database(), bundled)
    claim = next(c for c in vetted(bundled) if any(x.source_id == "anand-2023-nejm" for x in c.citations))
    path = data_copy / "sources" / "anand-2023-nejm.yaml"
    source = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings = Settings(database_url=url) if responses_kept else Settings(database_url=url, response_cache_entries=0)
    with TestClient(create_app(settings)) as client:
        before = client.get(f"/v1/claims/{claim.id}")
        source["title"] = source["title"] + " (corrected)"
        rewrite(path, source)
        writer = create_db_engine(url)
        load_dataset(engine=writer, dataset=read_dataset(data_copy), changed_by="rename")
        writer.dispose()
        settled(client, url)
        after = client.get(f"/v1/claims/{claim.id}", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.json()["version"] == before.json()["version"]
    cited = next(c["source"] for c in after.json()["citations"] if c["source_id"] == "anand-2023-nejm")
    assert cited["title"].endswith("(corrected)")
    assert after.headers["etag"] != before.headers["etag"]

"""The response cache never serves a body older than the database."""

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.config import Settings
from app.dataset import read_dataset
from app.db import create_db_engine
from app.main import create_app
from app.services.loading import load_dataset
from tests.cli.test_check import first_claim, rewrite
from tests.conftest import migrated_and_loaded
from tests.helpers import vetted


def test_a_write_elsewhere_is_seen_at_once(new_database, bundled, data_copy):
    url = migrated_and_loaded(new_database(), bundled)
    claim_id = vetted(bundled)[0].id
    with TestClient(create_app(Settings(database_url=url))) as client:
        before = client.get(f"/v1/claims/{claim_id}")
        assert client.get(f"/v1/claims/{claim_id}").content == before.content
        path, claim = first_claim(data_copy)
        assert claim["id"] == claim_id
        claim["snippet"] = "Rewritten snippet for a cache test."
        rewrite(path, claim)
        writer = create_db_engine(url)
        load_dataset(engine=writer, dataset=read_dataset(data_copy), changed_by="another replica")
        writer.dispose()
        after = client.get(f"/v1/claims/{claim_id}")
    assert after.headers["etag"] == '"2"'
    assert after.json()["snippet"] == "Rewritten snippet for a cache test."


def test_cached_responses_keep_headers_and_conditional_gets(client, bundled):
    claim_id = vetted(bundled)[0].id
    first = client.get(f"/v1/claims/{claim_id}")
    second = client.get(f"/v1/claims/{claim_id}")
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-type"] == "application/json"
    assert int(second.headers["content-length"]) == len(second.content)
    not_modified = client.get(f"/v1/claims/{claim_id}", headers={"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    paged = client.get("/v1/claims?limit=1")
    assert client.get("/v1/claims?limit=1").headers["link"] == paged.headers["link"]


def test_hits_are_counted_under_their_route(client):
    for _ in range(3):
        client.get("/v1/sources/seed-article")
    metrics = client.get("/metrics").text
    line = next(row for row in metrics.splitlines() if 'route="/v1/sources/{source_id}",status="200"' in row)
    assert float(line.rsplit(" ", 1)[1]) >= 3


def generation(url):
    engine = create_db_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text("SELECT generation FROM dataset_state")).scalar_one()
    engine.dispose()
    return value


def test_generation_moves_only_on_real_change(new_database, bundled):
    url = migrated_and_loaded(new_database(), bundled)
    loaded = generation(url)
    assert loaded >= len(bundled.claims)
    writer = create_db_engine(url)
    load_dataset(engine=writer, dataset=bundled, changed_by="reload")
    writer.dispose()
    assert generation(url) == loaded


def test_cache_off_serves_the_same_bodies(bundled_url, client):
    with TestClient(create_app(Settings(database_url=bundled_url, response_cache_entries=0))) as uncached:
        for path in ["/v1/topics", "/v1/claims?limit=3", "/v1/snippets?q=ECT"]:
            assert uncached.get(path).content == client.get(path).content

"""ETags name the bytes of every public read; If-None-Match is answered with 304 (RFC 9110)."""

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.dataset import read_dataset
from app.main import create_app
from tests.cli.test_check import first_claim, rewrite
from tests.conftest import migrated_and_loaded
from tests.helpers import vetted

READS = [
    "/v1/topics",
    "/v1/topics/safety",
    "/v1/claims?limit=5",
    "/v1/claims/{claim}",
    "/v1/claims/{claim}/revisions",
    "/v1/sources",
    "/v1/sources/seed-article",
    "/v1/sources/seed-article/text",
    "/v1/snippets?q=ECT",
]


@pytest.mark.parametrize("path", READS)
def test_every_read_has_an_etag_and_answers_304(any_client, bundled, path):
    url = path.format(claim=vetted(bundled)[0].id)
    first = any_client.get(url, headers={"Accept-Encoding": "identity"})
    tag = first.headers["etag"]
    assert first.status_code == 200 and tag.startswith('"') and tag.endswith('"')
    for header in [tag, "W/" + tag, f'"nope", {tag}', "*"]:
        again = any_client.get(url, headers={"If-None-Match": header, "Accept-Encoding": "identity"})
        assert again.status_code == 304 and again.content == b"", header
        assert again.headers["etag"] == tag and again.headers["cache-control"] == "no-cache"
    stale = any_client.get(url, headers={"If-None-Match": '"nope", W/"other"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_the_gzip_form_has_a_weak_tag_that_still_validates(client):
    gzipped = client.get("/v1/claims?limit=50", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["content-encoding"] == "gzip" and gzipped.headers["etag"].startswith('W/"')
    for encoding in ["gzip", "identity"]:
        again = client.get(
            "/v1/claims?limit=50", headers={"If-None-Match": gzipped.headers["etag"], "Accept-Encoding": encoding}
        )
        assert again.status_code == 304


def test_different_bytes_different_tags(client):
    tags = {client.get(url).headers["etag"] for url in ["/v1/claims?limit=1", "/v1/claims?limit=2", "/v1/topics"]}
    assert len(tags) == 3


def test_errors_carry_no_etag(client):
    response = client.get("/v1/claims/no-such-claim", headers={"If-None-Match": "*"})
    assert response.status_code == 404 and "etag" not in response.headers


def test_a_rebuilt_database_never_revalidates_a_tag_from_the_old_one(client, new_database, data_copy, bundled):
    path, claim = first_claim(data_copy)
    claim["snippet"] = "A rebuilt database where this claim reads differently, still at version 1."
    rewrite(path, claim)
    old = client.get(f"/v1/claims/{claim['id']}")
    rebuilt_url = migrated_and_loaded(new_database(), read_dataset(data_copy))
    with TestClient(create_app(Settings(database_url=rebuilt_url))) as rebuilt:
        fresh = rebuilt.get(f"/v1/claims/{claim['id']}", headers={"If-None-Match": old.headers["etag"]})
    assert fresh.json()["version"] == old.json()["version"] == 1
    assert fresh.status_code == 200 and fresh.headers["etag"] != old.headers["etag"]

import re

import pytest

from app.models.claim import CERTAINTY_RANK, CertaintyLevel
from tests.helpers import as_served, assert_problem, vetted, walk

SERVER_FIELDS = {"version", "created_at", "updated_at", "reviewed_at"}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def curated(item):
    """What the curator wrote, without the fields the server adds."""
    return {k: v for k, v in item.items() if k not in SERVER_FIELDS}


def test_list_serves_every_vetted_claim_whole(client, bundled):
    response = client.get("/v1/claims?limit=200")
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    expected = [as_served(claim) for claim in vetted(bundled)]
    assert [curated(item) for item in body["items"]] == expected
    assert body["total"] == len(expected) and body["next_cursor"] is None
    for item in body["items"]:
        assert item["version"] == 1
        assert TIMESTAMP.match(item["created_at"])


def test_review_dates_come_from_the_claim_files_not_the_load(client, bundled):
    served = {item["id"]: item for item in walk(client, "/v1/claims?limit=200")}
    for claim in vetted(bundled):
        assert claim.reviewed is not None, claim.id
        assert served[claim.id]["reviewed_at"] == f"{claim.reviewed.isoformat()}T00:00:00Z", claim.id
        assert served[claim.id]["updated_at"] == served[claim.id]["reviewed_at"], claim.id


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("topic=efficacy-vs-ect", lambda c: c.topic == "efficacy-vs-ect"),
        ("topic=mechanism", lambda c: c.topic == "mechanism"),
        ("verdict=misleading", lambda c: c.verdict == "misleading"),
        ("verdict=partly-supported", lambda c: c.verdict == "partly-supported"),
        ("min_certainty=moderate", lambda c: c.certainty.level.rank >= CERTAINTY_RANK[CertaintyLevel.moderate]),
        ("min_certainty=very_low", lambda c: True),
        (
            "source=rhee-2022-jama-psychiatry",
            lambda c: any(x.source_id == "rhee-2022-jama-psychiatry" for x in c.citations),
        ),
        ("tag=ect", lambda c: "ect" in c.tags),
        ("topic=mechanism&min_certainty=low", lambda c: c.topic == "mechanism" and c.certainty.level.rank >= 2),
    ],
)
def test_filters_select_exactly_the_matching_claims(client, bundled, query, keep):
    expected = [claim.id for claim in vetted(bundled) if keep(claim)]
    body = client.get(f"/v1/claims?{query}&limit=200").json()
    assert [item["id"] for item in body["items"]] == expected
    assert body["total"] == len(expected)


def test_filter_on_unknown_values_is_empty_not_error(client):
    body = client.get("/v1/claims?topic=no-such-topic").json()
    assert body == {"items": [], "next_cursor": None, "total": 0}


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("id", lambda item: item["id"]),
        ("certainty", lambda item: (-CERTAINTY_RANK[CertaintyLevel(item["certainty"]["level"])], item["id"])),
    ],
)
def test_sort_orders(client, sort, key):
    items = client.get(f"/v1/claims?sort={sort}&limit=200").json()["items"]
    assert items == sorted(items, key=key)


def test_sort_by_recent_change(client):
    items = client.get("/v1/claims?sort=-updated_at&limit=200").json()["items"]
    keys = [(item["updated_at"], item["id"]) for item in items]
    assert keys == sorted(keys, key=lambda k: (-int(re.sub(r"\D", "", k[0])), k[1]))


def test_read_claim_expands_cited_sources(client, bundled):
    claim = vetted(bundled)[0]
    sources = {source.id: source for source in bundled.sources}
    response = client.get(f"/v1/claims/{claim.id}")
    assert response.status_code == 200
    body = response.json()
    assert curated({k: v for k, v in body.items()}) | {"citations": None} == as_served(claim) | {"citations": None}
    for served, written in zip(body["citations"], claim.citations, strict=True):
        source = sources[written.source_id]
        vancouver = client.get(f"/v1/sources/{source.id}/citation?style=vancouver").text
        assert served["source"].pop("citation") == vancouver
        assert served["source"] == {
            "id": source.id,
            "kind": source.kind.value,
            "title": source.title,
            "container_title": source.container_title,
            "year": source.issued[:4] if source.issued else None,
            "doi": source.doi,
            "pmid": source.pmid,
            "url": source.url,
        }
        assert {k: v for k, v in served.items() if k != "source"} == written.model_dump(mode="json")


def test_revisions_of_a_loaded_claim(client, bundled):
    claim = vetted(bundled)[0]
    body = client.get(f"/v1/claims/{claim.id}/revisions").json()
    assert body["total"] == 1 and body["next_cursor"] is None
    (revision,) = body["items"]
    assert revision["version"] == 1
    assert revision["changed_by"] == "test fixture"
    assert TIMESTAMP.match(revision["changed_at"])
    assert curated(revision["claim"]) == as_served(claim)


@pytest.mark.parametrize("status", ["draft", "retracted"])
def test_non_public_statuses_need_a_key(client, status):
    response = client.get(f"/v1/claims?status={status}")
    assert_problem(response, 401, "key-required")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ["/v1/claims/no-such-claim", "/v1/claims/no-such-claim/revisions"])
def test_unknown_claim_is_404(client, path):
    body = assert_problem(client.get(path), 404, "not-found")
    assert "no-such-claim" in body["detail"]


@pytest.mark.parametrize("path", ["/v1/claims/NOPE", "/v1/claims/Not_A_Slug/revisions", "/v1/claims/%F0%9F%92%89"])
def test_malformed_id_is_404_like_any_unknown_id(client, path):
    body = assert_problem(client.get(path), 404, "not-found")
    assert body["errors"] == []


def test_every_page_of_claims_through_cursors(client, bundled):
    assert [item["id"] for item in walk(client, "/v1/claims?limit=3")] == [c.id for c in vetted(bundled)]

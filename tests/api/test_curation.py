"""Writing through the API: drafts, merge-patch edits with If-Match, reviews, sources; each way it can fail."""

import uuid
from dataclasses import dataclass

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.config import Settings
from app.dataset import Dataset
from app.db import create_db_engine
from app.main import create_app
from app.services.loading import load_dataset
from tests.conftest import migrated_and_loaded
from tests.helpers import assert_problem, assert_search_index_sound, bearer, generation, issue_key

TEMPLATE = "ect-more-efficacious-than-ketamine"


@dataclass
class Desk:
    """A client over a private copy of the bundled data, with one key per role."""

    client: TestClient
    url: str
    keys: dict[str, dict[str, str]]

    def post(self, path, body, key="curator", **headers):
        return self.client.post(path, json=body, headers=self.keys[key] | headers)

    def patch(self, path, body, key="curator", **headers):
        return self.client.patch(path, json=body, headers=self.keys[key] | headers)

    def draft(self, **changes):
        """POST a new draft claim modelled on a bundled one; returns its id."""
        body = new_claim(self, **changes)
        response = self.post("/v1/claims", body)
        assert response.status_code == 201, response.text
        return body["id"]

    def etag(self, path):
        """The ETag a key holder's GET serves."""
        return self.client.get(path, headers=self.keys["reader"] | {"Accept-Encoding": "identity"}).headers["etag"]

    def review(self, claim_id, action, key="reviewer", **headers):
        return self.post(
            f"/v1/claims/{claim_id}/review", {"action": action, "note": f"{action} in a test"}, key, **headers
        )


@pytest.fixture(scope="module")
def desk(new_database, bundled):
    url = migrated_and_loaded(new_database(), bundled)
    roles = {"reader": "read-drafts", "curator": "curate", "reviewer": "review", "admin": "admin"}
    keys = {role: bearer(issue_key(url, role, scope)) for role, scope in roles.items()}
    keys["curator2"] = bearer(issue_key(url, "curator2", "curate"))
    keys["reviewer2"] = bearer(issue_key(url, "reviewer2", "review"))
    keys["anonymous"] = {}
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield Desk(client, url, keys)


def new_claim(desk, **changes):
    template = desk.client.get(f"/v1/claims/{TEMPLATE}").json()
    body = {
        k: v for k, v in template.items() if k not in {"status", "version", "created_at", "updated_at", "reviewed_at"}
    }
    body["citations"] = [{k: v for k, v in c.items() if k != "source"} for c in body["citations"]]
    return body | {"id": f"test-claim-{uuid.uuid4().hex[:10]}"} | changes


def test_a_draft_is_created_versioned_and_hidden_from_the_public(desk):
    body = new_claim(desk, note="first draft")
    before = generation(desk.url)
    response = desk.post("/v1/claims", body)
    assert response.status_code == 201, response.text
    assert response.headers["etag"].removeprefix("W/") == desk.etag(f"/v1/claims/{body['id']}")
    assert response.headers["location"] == f"/v1/claims/{body['id']}"
    created = response.json()
    assert created["status"] == "draft" and created["version"] == 1 and created["reviewed_at"] is None
    assert created["citations"][0]["source"]["id"] == "seed-article"
    assert generation(desk.url) == before + 1
    assert_problem(desk.client.get(f"/v1/claims/{body['id']}"), 401, "key-required")
    public = desk.client.get("/v1/claims?limit=200").json()["items"]
    assert body["id"] not in {item["id"] for item in public}
    drafts = desk.client.get("/v1/claims?status=draft&limit=200", headers=desk.keys["reader"]).json()["items"]
    assert body["id"] in {item["id"] for item in drafts}
    revisions = desk.client.get(f"/v1/claims/{body['id']}/revisions", headers=desk.keys["reader"]).json()["items"]
    assert [(r["version"], r["changed_by"], r["note"]) for r in revisions] == [(1, "curator", "first draft")]


@pytest.mark.parametrize(
    ("key", "status", "slug"),
    [
        ("anonymous", 401, "key-required"),
        ("reader", 403, "insufficient-scope"),
    ],
)
def test_writing_needs_a_curate_key(desk, key, status, slug):
    response = desk.post("/v1/claims", new_claim(desk), key=key)
    assert_problem(response, status, slug)
    assert response.headers["www-authenticate"].startswith('Bearer realm="evidence"')
    if status == 403:
        assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


def test_a_revoked_or_unknown_key_cannot_write(desk):
    response = desk.client.post("/v1/claims", json=new_claim(desk), headers=bearer("ev_made-up"))
    assert_problem(response, 401, "invalid-key")


def test_an_id_in_use_is_409(desk):
    response = desk.post("/v1/claims", new_claim(desk, id=TEMPLATE))
    body = assert_problem(response, 409, "already-exists")
    assert "PATCH" in body["detail"]


def test_every_invalid_field_is_named(desk):
    body = new_claim(desk, statement="", verdict="probably", tags=[f"tag{i}" for i in range(21)], status="vetted")
    response = desk.post("/v1/claims", body)
    problem = assert_problem(response, 422, "invalid-parameters")
    locs = {tuple(error["loc"]) for error in problem["errors"]}
    assert {("body", "statement"), ("body", "verdict"), ("body", "tags"), ("body", "status")} <= locs


def test_dataset_rules_are_checked_and_every_problem_listed(desk):
    body = new_claim(desk, topic="no-such-topic")
    body["citations"][0]["locator"] = {"start": 1, "end": 10}
    body["citations"][1]["source_id"] = "no-such-source"
    problem = assert_problem(desk.post("/v1/claims", body), 422, "invalid-data")
    assert [error["loc"] for error in problem["errors"]] == [
        ["body", "topic"],
        ["body", "citations", 0, "locator"],
        ["body", "citations", 1, "source_id"],
    ]
    assert "not the quote" in problem["errors"][1]["msg"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("statement", "x" * 1001), ("snippet", "x" * 401), ("assessment", "x" * 4001)],
)
def test_field_lengths_are_limited(desk, field, value):
    problem = assert_problem(desk.post("/v1/claims", new_claim(desk, **{field: value})), 422, "invalid-parameters")
    assert problem["errors"][0]["loc"] == ["body", field]


def test_citation_lists_are_limited(desk):
    body = new_claim(desk)
    body["citations"] = body["citations"] * 26
    problem = assert_problem(desk.post("/v1/claims", body), 422, "invalid-parameters")
    assert problem["errors"][0]["loc"] == ["body", "citations"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_json_is_415(desk, content_type):
    headers = desk.keys["curator"] | ({"Content-Type": content_type} if content_type else {})
    response = desk.client.post("/v1/claims", content=b'{"id": "x"}', headers=headers)
    assert_problem(response, 415, "unsupported-media-type")


def test_patch_needs_if_match_and_refuses_a_stale_one(desk):
    claim_id = desk.draft()
    assert_problem(desk.patch(f"/v1/claims/{claim_id}", {"snippet": "New."}), 428, "if-match-required")
    assert_problem(
        desk.patch(f"/v1/claims/{claim_id}", {"snippet": "New."}, **{"If-Match": "*"}), 428, "if-match-required"
    )
    for stale in ['"0"', '"2"', '"not-a-tag-we-served"', "1"]:
        response = desk.patch(f"/v1/claims/{claim_id}", {"snippet": "New."}, **{"If-Match": stale})
        assert_problem(response, 412, "version-mismatch")
    assert desk.client.get(f"/v1/claims/{claim_id}", headers=desk.keys["reader"]).json()["version"] == 1


def test_the_etag_served_by_get_is_what_if_match_takes(desk):
    claim_id = desk.draft()
    served = desk.client.get(f"/v1/claims/{claim_id}", headers=desk.keys["reader"] | {"Accept-Encoding": "gzip"})
    assert served.headers["etag"].startswith('W/"')  # gzip-served: weak, but it names the same bytes
    first = desk.patch(f"/v1/claims/{claim_id}", {"tags": ["one"]}, **{"If-Match": served.headers["etag"]})
    assert first.status_code == 200, first.text
    stale = desk.patch(f"/v1/claims/{claim_id}", {"tags": ["two"]}, **{"If-Match": served.headers["etag"]})
    assert_problem(stale, 412, "version-mismatch")
    again = desk.patch(f"/v1/claims/{claim_id}", {"tags": ["two"]}, **{"If-Match": first.headers["etag"]})
    assert again.status_code == 200 and again.json()["version"] == 3


def test_patch_merges_bumps_the_version_and_keeps_a_revision(desk):
    claim_id = desk.draft()
    patch = {"snippet": "A rewritten snippet.", "pico": None, "certainty": {"level": "very_low"}, "note": "tighten"}
    response = desk.patch(f"/v1/claims/{claim_id}", patch, **{"If-Match": '"1"'})
    assert response.status_code == 200, response.text
    assert response.headers["etag"].removeprefix("W/") == desk.etag(f"/v1/claims/{claim_id}")
    edited = response.json()
    assert edited["snippet"] == "A rewritten snippet." and edited["pico"] is None
    assert edited["certainty"]["level"] == "very_low" and edited["certainty"]["downgrades"] == [
        "inconsistency",
        "imprecision",
    ]
    assert "note" not in edited
    revisions = desk.client.get(f"/v1/claims/{claim_id}/revisions", headers=desk.keys["reader"]).json()["items"]
    assert [(r["version"], r["note"]) for r in revisions] == [(2, "tighten"), (1, None)]
    assert revisions[0]["claim"]["version"] == 2 and revisions[0]["claim"]["snippet"] == "A rewritten snippet."
    assert revisions[1]["claim"]["version"] == 1 and revisions[1]["claim"]["snippet"] != "A rewritten snippet."


def test_merge_patch_media_type_is_accepted(desk):
    claim_id = desk.draft()
    headers = desk.keys["curator"] | {"If-Match": '"1"', "Content-Type": "application/merge-patch+json"}
    response = desk.client.patch(f"/v1/claims/{claim_id}", content=b'{"tags": ["merged"]}', headers=headers)
    assert response.status_code == 200 and response.json()["tags"] == ["merged"]


@pytest.mark.parametrize(("patch", "loc"), [({"status": "vetted"}, "status"), ({"id": "another-id"}, "id")])
def test_patch_cannot_change_status_or_id(desk, patch, loc):
    claim_id = desk.draft()
    problem = assert_problem(desk.patch(f"/v1/claims/{claim_id}", patch, **{"If-Match": '"1"'}), 422, "invalid-data")
    assert problem["errors"][0]["loc"] == ["body", loc]


def test_patch_validates_the_merged_claim(desk):
    claim_id = desk.draft()
    patch = {"verdict": "maybe", "citations": [{"source_id": "seed-article", "relation": "states"}]}
    problem = assert_problem(desk.patch(f"/v1/claims/{claim_id}", patch, **{"If-Match": '"1"'}), 422, "invalid-data")
    locs = [error["loc"] for error in problem["errors"]]
    assert ["body", "verdict"] in locs and ["body", "citations", 0, "note"] in locs


def test_patch_of_an_unknown_claim_is_404(desk):
    assert_problem(desk.patch("/v1/claims/no-such-claim", {"tags": []}, **{"If-Match": '"1"'}), 404, "not-found")


def test_review_vets_a_draft_which_then_appears_for_everyone(desk):
    claim_id = desk.draft()
    assert_problem(desk.review(claim_id, "vet", key="curator"), 403, "insufficient-scope")
    response = desk.review(claim_id, "vet")
    assert response.status_code == 200, response.text
    vetted = response.json()
    assert vetted["status"] == "vetted" and vetted["version"] == 2 and vetted["reviewed_at"] is not None
    assert desk.client.get(f"/v1/claims/{claim_id}").json()["status"] == "vetted"
    assert claim_id in {item["id"] for item in desk.client.get("/v1/claims?limit=200").json()["items"]}
    revisions = desk.client.get(f"/v1/claims/{claim_id}/revisions").json()["items"]
    assert [(r["changed_by"], r["note"]) for r in revisions] == [("reviewer", "vet in a test"), ("curator", None)]


def test_an_edit_to_a_vetted_claim_makes_it_a_draft_again(desk):
    claim_id = desk.draft()
    assert desk.review(claim_id, "vet").status_code == 200
    response = desk.patch(f"/v1/claims/{claim_id}", {"tags": ["edited"]}, **{"If-Match": '"2"'})
    assert response.json()["status"] == "draft" and response.json()["reviewed_at"] is None
    assert_problem(desk.client.get(f"/v1/claims/{claim_id}"), 401, "key-required")


def test_a_key_may_not_vet_its_own_edit_unless_admin(desk):
    body = new_claim(desk)
    assert desk.post("/v1/claims", body, key="reviewer").status_code == 201
    problem = assert_problem(desk.review(body["id"], "vet", key="reviewer"), 403, "same-editor")
    assert "another reviewer" in problem["detail"]
    assert desk.review(body["id"], "vet", key="reviewer2").status_code == 200
    own = new_claim(desk)
    assert desk.post("/v1/claims", own, key="admin").status_code == 201
    assert desk.review(own["id"], "vet", key="admin").status_code == 200


def test_the_last_editor_counts_not_the_author(desk):
    claim_id = desk.draft()
    assert (
        desk.patch(f"/v1/claims/{claim_id}", {"tags": ["x"]}, key="reviewer", **{"If-Match": '"1"'}).status_code == 200
    )
    assert_problem(desk.review(claim_id, "vet", key="reviewer"), 403, "same-editor")
    assert desk.review(claim_id, "vet", key="reviewer2").status_code == 200


def test_retract_and_reopen(desk):
    claim_id = desk.draft()
    assert desk.review(claim_id, "vet").json()["status"] == "vetted"
    assert_problem(desk.review(claim_id, "vet"), 409, "invalid-transition")
    retracted = desk.review(claim_id, "retract")
    assert retracted.json()["status"] == "retracted" and retracted.json()["version"] == 3
    assert_problem(desk.client.get(f"/v1/claims/{claim_id}"), 401, "key-required")
    assert claim_id in {
        c["id"] for c in desk.client.get("/v1/claims?status=retracted", headers=desk.keys["reader"]).json()["items"]
    }
    assert_problem(desk.review(claim_id, "retract"), 409, "invalid-transition")
    reopened = desk.review(claim_id, "reopen")
    assert reopened.json()["status"] == "draft" and reopened.json()["version"] == 4


def test_snippets_answer_with_a_claim_once_vetted_and_drop_it_once_retracted(desk):
    """Snippets keep to vetted claims of the asked topic and certainty, through the view kept per generation:
    each review must show in the very next answer."""

    def answered(**params):
        found = desk.client.get("/v1/snippets", params={"q": "zorvexaline flushing", "k": 20} | params)
        assert found.status_code == 200, found.text
        return {item["claim_id"] for item in found.json()["items"]}

    claim_id = desk.draft(statement="Zorvexaline flushing follows every ketamine infusion.")
    assert claim_id not in answered(min_certainty="very_low")
    assert desk.review(claim_id, "vet").status_code == 200
    assert claim_id in answered(min_certainty="very_low") and claim_id in answered(topic="efficacy-vs-ect")
    assert claim_id not in answered(topic="safety") and claim_id not in answered(min_certainty="moderate")
    assert desk.review(claim_id, "retract").status_code == 200
    assert claim_id not in answered(min_certainty="very_low")


def test_search_filters_see_each_review_and_edit(desk):
    """A search filters on the status, topic, verdict and certainty the search index keeps beside each
    claim's text: every write must keep them current, in ranked, sorted and counted answers alike."""

    def found(sort="relevance", key="anonymous", **params):
        answer = desk.client.get(
            "/v1/claims", params={"q": "quelvorine", "sort": sort} | params, headers=desk.keys[key]
        ).json()
        ids = [item["id"] for item in answer["items"]]
        assert answer["total"] == len(ids)
        return ids

    claim_id = desk.draft(statement="Quelvorine levels rise after ketamine.", verdict="supported")
    assert found() == [] and found(status="draft", key="reader") == [claim_id]
    assert desk.review(claim_id, "vet").status_code == 200
    assert found() == [claim_id] == found(sort="-updated_at") and found(status="draft", key="reader") == []
    assert found(topic="efficacy-vs-ect", verdict="supported") == [claim_id]
    edit = {"topic": "safety", "verdict": "contradicted", "certainty": {"level": "very_low"}}
    assert desk.patch(f"/v1/claims/{claim_id}", edit, **{"If-Match": '"2"'}).status_code == 200
    assert found() == [] and found(status="draft", key="reader", topic="safety") == [claim_id]  # edited: a draft again
    assert desk.review(claim_id, "vet").status_code == 200
    assert found(topic="efficacy-vs-ect") == [] and found(verdict="supported") == []
    assert found(topic="safety", verdict="contradicted") == [claim_id] == found(sort="certainty", topic="safety")
    assert found(min_certainty="low") == [] and found(min_certainty="very_low") == [claim_id]
    assert desk.review(claim_id, "retract").status_code == 200
    assert found() == [] == found(sort="id") and found(status="retracted", key="reader") == [claim_id]


def test_review_honours_if_match_when_given(desk):
    claim_id = desk.draft()
    assert_problem(desk.review(claim_id, "vet", **{"If-Match": '"7"'}), 412, "version-mismatch")
    assert desk.review(claim_id, "vet", **{"If-Match": '"1"'}).status_code == 200


@pytest.mark.parametrize("body", [{"action": "approve"}, {"note": "no action"}, {"action": "vet", "extra": 1}])
def test_review_body_is_validated(desk, body):
    claim_id = desk.draft()
    response = desk.post(f"/v1/claims/{claim_id}/review", body, key="reviewer")
    assert_problem(response, 422, "invalid-parameters")


def test_vetting_lists_every_reason_it_refuses(desk, bundled):
    """A draft citing only the material, whose quote a later reload of the material moved."""
    body = new_claim(desk)
    body["citations"] = [body["citations"][0], body["citations"][0] | {"relation": "supports"}]
    assert desk.post("/v1/claims", body).status_code == 201
    material = next(source for source in bundled.sources if source.id == "seed-article")
    moved = material.model_copy(update={"text": "Moved. " + (material.text or "")})
    engine = create_db_engine(desk.url)
    load_dataset(engine=engine, dataset=Dataset(sources=[moved]), changed_by="a reload")
    try:
        problem = assert_problem(desk.review(body["id"], "vet"), 422, "invalid-data")
    finally:
        load_dataset(engine=engine, dataset=Dataset(sources=[material]), changed_by="restore")
        engine.dispose()
    assert [error["loc"] for error in problem["errors"]] == [
        ["claim", "citations", 0, "locator"],
        ["claim", "citations", 1, "locator"],
        ["claim", "citations"],
    ]
    assert "other than the material" in problem["errors"][2]["msg"]
    assert desk.client.get(f"/v1/claims/{body['id']}", headers=desk.keys["reader"]).json()["status"] == "draft"


def test_sources_are_created_and_edited_with_if_match(desk, bundled):
    literature = next(source for source in bundled.sources if source.kind != "material" and source.text)
    body = literature.model_dump(mode="json") | {"id": f"test-source-{uuid.uuid4().hex[:8]}", "note": "new"}
    created = desk.post("/v1/sources", body)
    assert created.status_code == 201, created.text
    assert (
        created.headers["etag"].removeprefix("W/") == desk.etag(f"/v1/sources/{body['id']}")
        and created.json()["version"] == 1
    )
    assert desk.client.get(f"/v1/sources/{body['id']}/text").text == literature.text
    assert_problem(desk.post("/v1/sources", body), 409, "already-exists")
    assert_problem(desk.patch(f"/v1/sources/{body['id']}", {"title": "T"}), 428, "if-match-required")
    edited = desk.patch(
        f"/v1/sources/{body['id']}", {"title": "A corrected title", "note": "typo"}, **{"If-Match": '"1"'}
    )
    assert edited.status_code == 200 and edited.json()["title"] == "A corrected title"
    assert edited.headers["etag"].removeprefix("W/") == desk.etag(f"/v1/sources/{body['id']}")
    assert edited.headers["etag"] != created.headers["etag"]
    assert_problem(
        desk.patch(f"/v1/sources/{body['id']}", {"title": "B"}, **{"If-Match": '"1"'}), 412, "version-mismatch"
    )
    engine = create_db_engine(desk.url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT version, changed_by, note FROM source_revision WHERE source_id = :id ORDER BY version"),
            {"id": body["id"]},
        ).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [(1, "curator", "new"), (2, "curator", "typo")]


def test_a_source_edit_that_breaks_a_quote_is_refused(desk):
    source = desk.client.get("/v1/sources/seed-article")
    response = desk.patch(
        "/v1/sources/seed-article", {"text": "Nothing anyone quoted."}, **{"If-Match": source.headers["etag"]}
    )
    problem = assert_problem(response, 422, "invalid-data")
    assert {tuple(error["loc"]) for error in problem["errors"]} == {("body", "text")}
    assert any(TEMPLATE in error["msg"] for error in problem["errors"])
    assert desk.client.get("/v1/sources/seed-article").headers["etag"] == source.headers["etag"]


def test_source_writes_need_curate_and_valid_fields(desk):
    assert_problem(desk.post("/v1/sources", {"id": "x"}, key="reader"), 403, "insufficient-scope")
    problem = assert_problem(desk.post("/v1/sources", {"id": "Bad Id", "kind": "blog"}), 422, "invalid-parameters")
    assert {("body", "id"), ("body", "kind"), ("body", "title")} <= {tuple(e["loc"]) for e in problem["errors"]}


def test_every_write_leaves_the_search_index_true_to_the_claims(desk):
    """FTS5 reads what it takes out of its index from the claim's rows (0017): a write must take the claim out
    while they still hold the indexed version, or its old words stay found and the index is corrupt."""

    def found(words):
        return {item["id"] for item in desk.client.get("/v1/claims", params={"q": words, "limit": 100}).json()["items"]}

    claim_id = desk.draft(statement="Quixotrine dosing follows every ketamine infusion.")
    assert_search_index_sound(desk.url)
    served = desk.client.get(f"/v1/claims/{claim_id}", headers=desk.keys["reader"])
    statement = {"statement": "Zeugmatine dosing follows every ketamine infusion."}
    edited = desk.patch(f"/v1/claims/{claim_id}", statement, **{"If-Match": served.headers["etag"]})
    assert edited.status_code == 200, edited.text
    assert_search_index_sound(desk.url)
    assert desk.review(claim_id, "vet").status_code == 200
    assert_search_index_sound(desk.url)
    assert found("zeugmatine") == {claim_id} and found("quixotrine") == set()

    exported = desk.client.get("/v1/export?format=jsonl").content.splitlines()
    topic = next(
        line for line in map(orjson.loads, exported) if line["type"] == "topic" and line["id"] == served.json()["topic"]
    )
    for label in (f"{topic['label']} xylographine", topic["label"]):  # relabelled, then as it was
        response = desk.client.post(
            "/v1/import",
            content=orjson.dumps({**topic, "label": label}) + b"\n",
            headers=desk.keys["admin"] | {"Content-Type": "application/x-ndjson"},
        )
        assert response.status_code == 200, response.text
        assert_search_index_sound(desk.url)
        assert (claim_id in found("xylographine")) == (label != topic["label"])

    assert desk.review(claim_id, "retract").status_code == 200
    assert_search_index_sound(desk.url)
    assert found("zeugmatine") == set()

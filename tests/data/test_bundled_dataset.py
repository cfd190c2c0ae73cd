"""The bundled dataset, read back through the API the way its users read it."""

from collections import Counter

from tests.helpers import walk

MISSION_TOPICS = {
    "mechanism",
    "efficacy-vs-ect",
    "access-and-coverage",
    "safety",
    "regulatory-status",
    "treatment-course",
}


def test_every_quote_matches_the_served_text_at_its_offsets(client):
    texts: dict[str, str] = {}
    checked = 0
    for claim in walk(client, "/v1/claims?limit=200"):
        for citation in claim["citations"]:
            if citation["quote"] is None:
                continue
            source_id = citation["source_id"]
            if source_id not in texts:
                texts[source_id] = client.get(f"/v1/sources/{source_id}/text").content.decode("utf-8")
            start, end = citation["locator"]["start"], citation["locator"]["end"]
            assert texts[source_id][start:end] == citation["quote"], (claim["id"], source_id)
            checked += 1
    assert checked >= len(walk(client, "/v1/claims?limit=200"))


def test_every_claim_quotes_the_material(client):
    for claim in walk(client, "/v1/claims?limit=200"):
        states = [c for c in claim["citations"] if c["relation"] == "states"]
        assert states and all(c["source_id"] == "seed-article" and c["quote"] for c in states), claim["id"]


def test_every_mission_topic_has_two_vetted_claims(client):
    counts = {topic["id"]: topic["claim_count"] for topic in walk(client, "/v1/topics")}
    assert set(counts) == MISSION_TOPICS
    assert all(n >= 2 for n in counts.values()), counts


def test_every_claim_is_vetted_and_the_set_covers_the_material(client, bundled):
    claims = walk(client, "/v1/claims?limit=200")
    assert len(claims) == len(bundled.claims)
    assert 18 <= len(claims) <= 30


def test_literature_is_locatable(client):
    for source in walk(client, "/v1/sources?limit=200"):
        if source["kind"] != "material":
            assert source["doi"] or source["pmid"] or source["url"], source["id"]
            assert source["verified_at"], source["id"]


def test_material_is_rated_low_and_says_why(client):
    seed = client.get("/v1/sources/seed-article").json()
    assert seed["kind"] == "material"
    assert seed["reliability"]["rating"] == "low"
    assert "Forbes" in seed["reliability"]["note"]


def test_claims_with_a_verdict_cite_literature(client):
    for claim in walk(client, "/v1/claims?limit=200"):
        relations = Counter(c["relation"] for c in claim["citations"])
        if claim["verdict"] != "unsupported":
            assert sum(relations.values()) > relations["states"], claim["id"]


def test_efficacy_and_safety_claims_say_their_outcome(client):
    graded = walk(client, "/v1/claims?topic=efficacy-vs-ect") + walk(client, "/v1/claims?topic=safety")
    assert len(graded) >= 4
    for claim in graded:
        assert claim["pico"] is not None, claim["id"]


def test_ect_comparison_shows_the_conflict(client):
    claim = client.get("/v1/claims/ect-more-efficacious-than-ketamine").json()
    relations = {c["source_id"]: c["relation"] for c in claim["citations"]}
    assert {"menon-2023-jama-psychiatry", "rhee-2022-jama-psychiatry", "anand-2023-nejm"} <= set(relations)
    assert relations["anand-2023-nejm"] == "contradicts"
    assert claim["certainty"]["level"] in {"low", "very_low"}
    assert "outpatient" in claim["assessment"] and "inpatient" in claim["assessment"]


def test_misreported_passages_are_called_out(client):
    assert client.get("/v1/claims/meg-study-sensory-responses-misreported").json()["verdict"] == "misleading"
    assert client.get("/v1/claims/ketamine-legalized-for-therapeutic-benefits").json()["verdict"] == "misleading"

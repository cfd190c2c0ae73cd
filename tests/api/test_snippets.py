"""/v1/snippets for chatbot backends: vetted, ranked, cited, within budget, never an error."""

import pytest

from tests.helpers import assert_problem


def snippets(client, **params):
    response = client.get("/v1/snippets", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_answer_shape_and_citation_from_literature(client, bundled):
    body = snippets(client, q="is ketamine better than ECT", k=3)
    assert body["query"] == "is ketamine better than ECT" and "not medical advice" in body["notice"]
    first = body["items"][0]
    assert first["claim_id"] == "ect-more-efficacious-than-ketamine"
    claim = next(c for c in bundled.claims if c.id == first["claim_id"])
    assert first["text"] == claim.snippet
    assert first["certainty"] == claim.certainty.level and first["confidence_note"] == claim.certainty.note
    literature = [c.source_id for c in claim.citations if c.relation != "states"]
    references = [client.get(f"/v1/sources/{source_id}/citation?style=vancouver").text for source_id in literature]
    expected = [f"[{n}] {reference}" for n, reference in enumerate(list(dict.fromkeys(references))[:3], start=1)]
    assert first["citation"] == " ".join(expected)
    lead = next(s for s in bundled.sources if s.id == literature[0])
    assert first["citation"].startswith(f"[1] {lead.authors[0].family} {lead.authors[0].given}")
    assert "seed-article" not in {s["id"] for s in first["sources"]}
    assert {"id": "anand-2023-nejm", "url": "https://doi.org/10.1056/NEJMoa2302399"} in first["sources"]


@pytest.mark.parametrize("max_chars", [200, 333, 700, 1500])
def test_summed_text_never_exceeds_the_budget(client, max_chars):
    body = snippets(client, q="ketamine", k=20, max_chars=max_chars, min_certainty="very_low")
    texts = [item["text"] for item in body["items"]]
    assert texts and sum(map(len, texts)) <= max_chars
    for text in texts:
        if text.endswith("…"):
            cut = text[:-1].rstrip()
            assert cut[-1] in ".!?" or cut.split()[-1].isalnum() or cut[-1].isalnum()


def test_a_cut_keeps_whole_sentences_and_the_hedge(client, bundled):
    body = snippets(client, q="is ketamine better than ECT", k=1, max_chars=200)
    (item,) = body["items"]
    full = next(c.snippet for c in bundled.claims if c.id == item["claim_id"])
    assert len(full) > 200 and len(item["text"]) <= 200 and "…" in item["text"]
    kept = [part.strip() for part in item["text"].split("…") if part.strip()]
    assert all(part in full for part in kept)
    assert "uncertain" in item["text"] or "low" in item["text"]


def test_certainty_floor_and_topic(client, bundled):
    low_or_better = snippets(client, q="ketamine", k=20, max_chars=8000)["items"]
    assert all(item["certainty"] != "very_low" for item in low_or_better)
    high = snippets(client, q="ketamine", k=20, max_chars=8000, min_certainty="high")["items"]
    assert high and all(item["certainty"] == "high" for item in high)
    safety = snippets(client, q="ketamine", k=20, max_chars=8000, topic="safety", min_certainty="very_low")["items"]
    topics = {c.id: c.topic for c in bundled.claims}
    assert safety and all(topics[item["claim_id"]] == "safety" for item in safety)


def test_ranking_is_stable(uncached):
    first = snippets(uncached, q="ketamine depression", k=10, max_chars=8000)
    assert all(snippets(uncached, q="ketamine depression", k=10, max_chars=8000) == first for _ in range(3))
    scores = [item["score"] for item in first["items"]]
    assert scores == sorted(scores, reverse=True)


def test_q_is_required(client):
    body = assert_problem(client.get("/v1/snippets", params={"k": 3}), 422, "invalid-parameters")
    assert body["errors"][0]["loc"] == ["query", "q"]


@pytest.mark.parametrize(
    "q", ["best pizza in new york", "'; DROP TABLE claims; --", "how do I reset my router password", "", "?!"]
)
def test_no_vetted_evidence_is_an_empty_answer_that_says_so(client, q):
    body = snippets(client, q=q, min_certainty="very_low")
    assert body["items"] == [] and body["hidden_by_min_certainty"] == 0
    assert body["notice"].startswith("The dataset holds no vetted evidence on this question")
    assert "not medical advice" in body["notice"]


def test_scores_are_between_0_and_1_and_min_score_is_stricter(client):
    items = snippets(client, q="is ketamine addictive", k=20, max_chars=8000, min_certainty="very_low")["items"]
    scores = [item["score"] for item in items]
    assert scores and all(0 <= score <= 1 for score in scores)
    cut = round(scores[len(scores) // 2] - 0.0001, 4)  # scores are shown to 4 places
    strict = snippets(client, q="is ketamine addictive", k=20, max_chars=8000, min_certainty="very_low", min_score=cut)
    assert [i["score"] for i in strict["items"]] == [score for score in scores if score >= cut]
    assert snippets(client, q="is ketamine addictive", min_score=1)["items"] == []


def test_min_certainty_says_how_many_relevant_claims_it_hid(client, bundled):
    everything = snippets(client, q="ketamine side effects and risks", k=20, max_chars=8000, min_certainty="very_low")
    high = snippets(client, q="ketamine side effects and risks", k=20, max_chars=8000, min_certainty="high")
    levels = {claim.id: claim.certainty.level for claim in bundled.claims}
    below = [item for item in everything["items"] if levels[item["claim_id"]] != "high"]
    assert below and high["hidden_by_min_certainty"] == len(below)
    assert f"{len(below)} more relevant claim(s) have certainty below min_certainty=high" in high["notice"]
    assert everything["hidden_by_min_certainty"] == 0


def test_verdict_names_the_article_claim_and_says_so_in_the_schema(client, bundled):
    item = snippets(client, q="was ketamine legalized", k=1)["items"][0]
    claim = next(c for c in bundled.claims if c.id == item["claim_id"])
    assert "verdict" not in item and item["material_claim_verdict"] == claim.verdict
    schema = client.get("/openapi.json").json()["components"]["schemas"]["Snippet"]
    assert "NOT on this text" in schema["properties"]["material_claim_verdict"]["description"]


@pytest.mark.parametrize(
    "q", ["zebra migration patterns", "🙂", '"unbalanced', "NEAR(", "x" * 10_000, "\x00\x01", "-ketamine", "OR OR"]
)
def test_any_user_text_is_a_200(client, q):
    body = snippets(client, q=q)
    assert isinstance(body["items"], list)


@pytest.mark.parametrize(
    ("name", "value"), [("k", 0), ("k", 21), ("max_chars", 199), ("max_chars", 8001), ("min_score", 1.5)]
)
def test_out_of_range_controls_are_422(client, name, value):
    body = assert_problem(client.get("/v1/snippets", params={"q": "ketamine", name: value}), 422, "invalid-parameters")
    assert body["errors"][0]["loc"] == ["query", name]

"""Full-text search on /v1/claims: syntax users know, synonyms, ranking, and no 500s."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from app.domain.query import STOP_WORDS, words_of
from tests.conftest import ON_POSTGRES
from tests.helpers import assert_problem, vetted, walk


def search(client, q, **params):
    response = client.get("/v1/claims", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_plain_words_must_all_match(client, bundled):
    found = search(client, "esketamine Medicaid")
    assert found["total"] >= 1
    for item in found["items"]:
        text = " ".join(
            [item["statement"], item["assessment"], item["snippet"]] + [c["note"] for c in item["citations"]]
        )
        assert "esketamine" in text.lower() and "medicaid" in text.lower()
    assert found["total"] < len(vetted(bundled))


def test_domain_synonyms(client):
    ect = {item["id"] for item in search(client, "ECT", limit=200)["items"]}
    spelled = {item["id"] for item in search(client, '"electroconvulsive therapy"', limit=200)["items"]}
    assert "ect-more-efficacious-than-ketamine" in ect and spelled <= ect
    spravato = {item["id"] for item in search(client, "Spravato", limit=200)["items"]}
    esketamine = {item["id"] for item in search(client, "esketamine", limit=200)["items"]}
    assert esketamine <= spravato
    assert "commercial-insurance-more-initiation-than-medicaid" in {
        i["id"] for i in search(client, "insurance")["items"]
    }


def test_phrase_exclusion_and_or(client):
    phrase = search(client, '"synaptic efficacy"', limit=200)
    assert phrase["total"] >= 1
    with_liver = {i["id"] for i in search(client, "ketamine", limit=200)["items"]}
    without_liver = {i["id"] for i in search(client, "ketamine -liver", limit=200)["items"]}
    assert "ketamine-liver-harm-symptoms" in with_liver - without_liver
    either = {i["id"] for i in search(client, "liver OR driving", limit=200)["items"]}
    assert {"ketamine-liver-harm-symptoms", "do-not-drive-until-you-know-effects"} <= either


def test_hits_say_where_they_matched(client):
    for item in search(client, "Medicaid")["items"]:
        assert "<mark>" in item["match"]["fragment"] and "</mark>" in item["match"]["fragment"]
    assert "match" not in client.get("/v1/claims?limit=1").json()["items"][0]


def test_ranked_by_relevance_with_stable_pages(uncached):
    whole = search(uncached, "ketamine depression", limit=200)["items"]
    assert walk(uncached, "/v1/claims?q=ketamine%20depression&limit=3") == whole
    assert len(whole) > 3


def test_search_combines_with_filters(client, bundled):
    found = search(client, "ketamine", topic="safety", min_certainty="moderate", limit=200)
    expected = {c.id for c in vetted(bundled) if c.topic == "safety" and c.certainty.level.rank >= 3}
    assert {item["id"] for item in found["items"]} <= expected
    assert found["total"] >= 1


@pytest.mark.parametrize("q", ["*", "🙂💉", "", "   ", "\u0007", "the of and"])
def test_nothing_searchable_is_an_empty_result(client, q):
    assert search(client, q) == {"items": [], "next_cursor": None, "total": 0}


@pytest.mark.parametrize(
    "q", ["NEAR(ketamine liver)", "statement:ketamine", "ketamine*", "ketamine AND liver", "(liver"]
)
def test_engine_syntax_is_just_words(client, q):
    assert search(client, q)["total"] >= 1


@pytest.mark.parametrize(
    ("q", "hint"),
    [('"unbalanced phrase', "unbalanced quote"), ("x" * 10_000, "shorten it")],
)
def test_unusable_queries_are_400_saying_what_to_fix(client, q, hint):
    body = assert_problem(client.get("/v1/claims", params={"q": q}), 400, "bad-query")
    assert hint in body["detail"]


def test_relevance_sort_needs_q(client):
    body = assert_problem(client.get("/v1/claims?sort=relevance"), 400, "bad-query")
    assert "give q" in body["detail"]


def test_facets_count_the_filtered_set(client, bundled):
    body = client.get("/v1/claims", params={"facets": "topic,verdict,certainty,source", "limit": 1}).json()
    claims = vetted(bundled)
    assert sum(f["count"] for f in body["facets"]["topic"]) == len(claims)
    verdicts = {f["value"]: f["count"] for f in body["facets"]["verdict"]}
    assert verdicts == {v: sum(1 for c in claims if c.verdict == v) for v in {c.verdict.value for c in claims}}
    by_source = {f["value"]: f["count"] for f in body["facets"]["source"]}
    assert by_source["seed-article"] == len(claims)
    labels = {f["value"]: f["label"] for f in body["facets"]["topic"]}
    assert labels == {t.id: t.label for t in bundled.topics if any(c.topic == t.id for c in claims)}


def test_tag_facet_counts_each_tag_once_per_claim(client, bundled):
    body = client.get("/v1/claims", params={"facets": "tag", "topic": "safety", "limit": 1}).json()
    claims = [c for c in vetted(bundled) if c.topic == "safety"]
    expected = {tag: sum(1 for c in claims if tag in c.tags) for c in claims for tag in c.tags}
    assert {f["value"]: f["count"] for f in body["facets"]["tag"]} == expected
    assert all(f["label"] == f["value"] for f in body["facets"]["tag"])


def test_facets_follow_search_and_filters(client):
    body = client.get("/v1/claims", params={"q": "ECT", "facets": "topic"}).json()
    assert sum(f["count"] for f in body["facets"]["topic"]) == body["total"]
    assert_problem(client.get("/v1/claims?facets=topic,colour"), 422, "invalid-parameters")


FTS_NOISE = st.sampled_from(
    ['"', "-", "*", "(", ")", ":", "^", "NEAR", "OR", "AND", "NOT", "{", "}", "'", "\\", "%", "_"]
)


@given(
    words=st.lists(
        st.one_of(st.text(max_size=12), FTS_NOISE, st.sampled_from(["ketamine", "ECT", "liver"])), max_size=8
    )
)
@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_user_text_breaks_search(client, words):
    q = " ".join(words)
    listed = client.get("/v1/claims", params={"q": q, "facets": "topic"})
    assert listed.status_code in (200, 400), (q, listed.text)
    answered = client.get("/v1/snippets", params={"q": q})
    assert answered.status_code == 200, (q, answered.text)


@pytest.mark.parametrize(("q", "same_as"), [("ketamine don", "ketamine"), ("liver OR s", "liver"), ("x OR s", "x")])
def test_stop_words_mean_nothing_on_either_engine(client, q, same_as):
    found = [item["id"] for item in search(client, q, limit=200)["items"]]
    assert found == [item["id"] for item in search(client, same_as, limit=200)["items"]]
    assert found or same_as == "x"


@pytest.mark.skipif(not ON_POSTGRES, reason="compares with PostgreSQL's own stop list")
def test_every_word_postgresql_ignores_is_a_stop_word(bundled_url, bundled):
    """Words PostgreSQL drops but SQLite would require would make the engines disagree."""
    texts = [source.text or "" for source in bundled.sources] + [claim.statement for claim in bundled.claims]
    vocabulary = sorted({word for text in texts for word in words_of(text)} | set(STOP_WORDS))
    engine = create_engine(bundled_url)
    with engine.connect() as conn:
        ignored = conn.execute(
            text("SELECT w FROM unnest(CAST(:words AS text[])) AS w WHERE to_tsvector('english', w) = ''::tsvector"),
            {"words": vocabulary},
        ).scalars()
        assert set(ignored) - STOP_WORDS == set()
    engine.dispose()

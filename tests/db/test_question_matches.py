"""Each engine keeps a question's candidates by the summed weight of the word groups each claim is about."""

import re

import pytest
from sqlalchemy import create_engine, text

from app.domain.query import MAX_TERMS, parse_query
from app.services.search import text_search_for

WORDS = ("liver", "insurance")


def _words(text_: str) -> set[str]:
    return set(re.findall(r"\w+", text_.lower()))


def _about(conn, word: str) -> set[str]:
    """Claims whose statement, snippet or topic holds the word, read without the search index."""
    sql = "SELECT claim.id, statement, snippet, label FROM claim JOIN topic ON topic.id = claim.topic_id"
    rows = conn.execute(text(sql)).all()
    return {row.id for row in rows if word in _words(f"{row.statement} {row.snippet} {row.label}")}


def _anywhere(conn, word: str) -> set[str]:
    """Claims holding the word in any indexed text: the assessment and citation notes too."""
    sql = "SELECT claim.id, statement, snippet, label, assessment FROM claim JOIN topic ON topic.id = claim.topic_id"
    own = {row.id for row in conn.execute(text(sql)) if word in _words(" ".join(row[1:]))}
    notes = conn.execute(text("SELECT claim_id, note FROM citation"))
    return own | {row.claim_id for row in notes if word in _words(row.note)}


@pytest.mark.parametrize("weights", [(0.5, 3.0), (3.0, 0.5)])
def test_candidates_come_by_the_weight_of_the_words_they_are_about(bundled_url, weights):
    engine = create_engine(bundled_url)
    search = text_search_for(engine)
    query = parse_query(" ".join(WORDS), strict=False)
    with engine.connect() as conn:
        about = [_about(conn, word) for word in WORDS]
        matches = search.question_matches(conn, query, weights, limit=50)
        heaviest = max(range(len(WORDS)), key=lambda i: weights[i])
        best = search.question_matches(conn, query, weights, limit=len(about[heaviest]))
    engine.dispose()
    assert all(about), "the bundled data has claims about each word"
    assert {m.claim_id for m in matches} == about[0] | about[1]
    for match in matches:
        assert match.about == tuple(match.claim_id in claims for claims in about), match
    scores = [sum(w for w, found in zip(weights, match.about, strict=True) if found) for match in matches]
    assert scores == sorted(scores, reverse=True)
    assert {m.claim_id for m in best} == about[heaviest]  # a limit keeps the heaviest


def test_the_last_of_the_most_word_groups_a_question_may_have_is_flagged(bundled_url):
    """A question keeps up to MAX_TERMS word groups; the last one's flag is the highest bit of the set."""
    engine = create_engine(bundled_url)
    search = text_search_for(engine)
    words = [f"zq{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(MAX_TERMS - 1)] + ["liver"]
    query = parse_query(" ".join(words), strict=False)
    with engine.connect() as conn:
        about_liver = _about(conn, "liver")
        matches = search.question_matches(conn, query, [1.0] * MAX_TERMS, limit=50)
    engine.dispose()
    assert len(query.required) == MAX_TERMS
    assert {m.claim_id for m in matches} == about_liver
    assert all(m.about == (False,) * (MAX_TERMS - 1) + (True,) for m in matches)


def test_an_excluded_word_removes_claims_holding_it_anywhere(bundled_url):
    """Kavalali is named only in some ketamine claims' assessments and citation notes, never in what they are about."""
    engine = create_engine(bundled_url)
    search = text_search_for(engine)
    query = parse_query("ketamine -kavalali", strict=False)
    with engine.connect() as conn:
        about, naming = _about(conn, "ketamine"), _anywhere(conn, "kavalali")
        matches = search.question_matches(conn, query, [1.0], limit=100)
    engine.dispose()
    assert naming & about, "the bundled data names Kavalali beside some claims about ketamine"
    assert {m.claim_id for m in matches} == about - naming

"""Lay questions find their claims and off-topic ones get nothing, on whichever database runs the suite.

The figures are printed at the end of the run; the floors sit a little below what the default
embedder reached when the ranking was tuned (README, Search quality), so a change that quietly
loses quality fails here.
"""

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import ON_POSTGRES, QUALITY_REPORT
from tests.retrieval_quality import measure, question_set

TUNED = {"hit_at_3": 0.62, "mrr": 0.52}
HELD_OUT = {"hit_at_3": 0.75, "mrr": 0.72}


def test_question_set_names_only_claims_that_exist(bundled):
    questions = question_set()
    known = {claim.id for claim in bundled.claims}
    assert len(questions["answerable"]) >= 40 and len(questions["off_topic"]) >= 10
    for item in questions["answerable"] + questions["held_out"]:
        assert item["accept"] and set(item["accept"]) <= known, item


def test_lay_questions_rank_their_claims_and_off_topic_ones_get_nothing(bundled_url, request):
    with TestClient(create_app(Settings(database_url=bundled_url, response_cache_entries=0))) as client:
        embedder = client.app.state.ranker.embedder.name
        quality = measure(client)
    request.config.stash.setdefault(QUALITY_REPORT, []).append(
        f"retrieval quality ({'postgresql' if ON_POSTGRES else 'sqlite'}, {embedder}): {quality.line()}"
    )
    assert quality.answered_off_topic == []
    assert quality.tuned.hit_at_3 >= TUNED["hit_at_3"] and quality.tuned.mrr >= TUNED["mrr"], quality.tuned
    assert quality.held_out.hit_at_3 >= HELD_OUT["hit_at_3"] and quality.held_out.mrr >= HELD_OUT["mrr"], (
        quality.held_out
    )

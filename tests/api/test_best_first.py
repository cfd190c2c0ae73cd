"""A public search is counted by the text index and its pages drawn from the best-scored matches alone, and both
are what ranking and counting every match give.

The exact path is reached through a filter that every claim passes (min_certainty=very_low):
any filter but the search sends a search to rank and count every match.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.config import Settings
from app.db import create_db_engine
from app.main import create_app
from app.models.claim import ClaimIn, ClaimStatus
from app.services.curation import Change, save_claim, write_transaction
from app.services.embedders import DEFAULT_MODEL
from app.services.indexing import indexer_for
from tests.benchmarks.generate_claims import synthetic_claims
from tests.conftest import migrated_and_loaded

EVERY_CLAIM_PASSES = {"min_certainty": "very_low"}
TIED = 40  # claims whose only mention of "quokka" is the same statement, so they score the same
CROWDING_DRAFTS, WOMBATS = 30, 10  # drafts saying "wombat" over and over, and vetted claims saying it once


def _claims() -> Iterator[ClaimIn]:
    """Copies of one synthetic claim: FTS5 scores a match by the length of the whole row, so only copies tie."""
    base = next(synthetic_claims(1, seed=5)).model_copy(update={"status": ClaimStatus.vetted})
    for number in range(TIED):
        statement = "Quokka statement shared word for word by every claim of this group."
        yield base.model_copy(update={"id": f"tied-{number:02d}", "statement": statement})
    for number in range(CROWDING_DRAFTS):
        statement = "Wombat wombat wombat wombat, said again and again."
        update = {"id": f"crowding-{number:02d}", "statement": statement, "status": ClaimStatus.draft}
        yield base.model_copy(update=update)
    for number in range(WOMBATS):
        statement = "Wombat, named once in a statement " + "that grows longer " * number + "each time."
        yield base.model_copy(update={"id": f"wombat-{number:02d}", "statement": statement})


@pytest.fixture(scope="module")
def crowded_url(new_database, bundled) -> str:
    url = migrated_and_loaded(new_database(), bundled)
    engine = create_db_engine(url)
    indexer = indexer_for(engine, DEFAULT_MODEL)
    with write_transaction(engine) as session:
        for claim in _claims():
            save_claim(session=session, claim_in=claim, change=Change(by="test fixture"), indexer=indexer)
    engine.dispose()
    return url


def _client(url: str) -> Iterator[tuple[TestClient, list[str]]]:
    statements: list[str] = []
    with TestClient(create_app(Settings(database_url=url, response_cache_entries=0))) as client:
        event.listen(client.app.state.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        yield client, statements


@pytest.fixture(scope="module")
def crowded(crowded_url) -> Iterator[tuple[TestClient, list[str]]]:
    yield from _client(crowded_url)


@pytest.fixture(scope="module")
def many(many_claims_url) -> Iterator[tuple[TestClient, list[str]]]:
    yield from _client(many_claims_url)


def _page(counted, **params) -> tuple[dict, int]:
    """The page, and how many statements ranked matches to make it."""
    client, statements = counted
    statements.clear()
    response = client.get("/v1/claims", params=params)
    assert response.status_code == 200, response.text
    rankings = sum("bm25(" in sql or "ts_rank(" in sql for sql in statements)
    return response.json(), rankings


def _shown(page: dict) -> tuple[list[tuple[str, str]], int]:
    return [(item["id"], item["match"]["fragment"]) for item in page["items"]], page["total"]


@pytest.mark.parametrize("q", ["patient", "placebo", "hour", "esketamine trial", "dose OR label"])
@pytest.mark.parametrize("limit", [1, 5, 20])
def test_the_best_matches_make_the_page_that_ranking_every_match_makes(many, q, limit):
    best, rankings = _page(many, q=q, limit=limit)
    exact, _ = _page(many, q=q, limit=limit, **EVERY_CLAIM_PASSES)
    assert best["total"] > 2 * limit + 20, "a word in more claims than the best few kept"
    assert rankings == 1, "the best few answered without ranking every match"
    assert _shown(best) == _shown(exact)
    following, rankings = _page(many, q=q, limit=limit, cursor=best["next_cursor"])
    assert rankings == 1, "the next page too, from the best few scoring no more than the cursor"
    assert _shown(following)[0] == _shown(_page(many, q=q, limit=2 * limit)[0])[0][limit:]


def test_scores_tied_past_the_best_few_rank_every_match(crowded):
    """Forty claims score the same: the best 30 kept cannot tell which five come first by id."""
    best, rankings = _page(crowded, q="quokka", limit=5)
    assert rankings == 2, "the best few were not enough, so every match was ranked"
    assert [item["id"] for item in best["items"]] == [f"tied-{number:02d}" for number in range(5)]
    assert _shown(best) == _shown(_page(crowded, q="quokka", limit=5, **EVERY_CLAIM_PASSES)[0])
    assert best["total"] == TIED
    following, rankings = _page(crowded, q="quokka", limit=5, cursor=best["next_cursor"])
    assert rankings == 2, "past the cursor the same scores tie across the cut"
    assert [item["id"] for item in following["items"]] == [f"tied-{number:02d}" for number in range(5, 10)]


def test_drafts_crowding_the_best_matches_leave_the_public_page_whole(crowded):
    """The 22 best matches for one item are all drafts; the public page still shows the best vetted claim."""
    best, rankings = _page(crowded, q="wombat", limit=1)
    assert rankings == 2
    assert [item["id"] for item in best["items"]] == ["wombat-00"]
    assert _shown(best) == _shown(_page(crowded, q="wombat", limit=1, **EVERY_CLAIM_PASSES)[0])
    assert best["total"] == WOMBATS
    page, rankings = _page(crowded, q="wombat", limit=5)
    assert rankings == 2 and page["total"] == WOMBATS
    assert [item["id"] for item in page["items"]] == [f"wombat-{number:02d}" for number in range(5)]


def test_a_claims_status_is_not_a_word_it_holds(crowded):
    """Each claim's status is indexed beside its text to count searches by; words are looked for in the text."""
    found, _ = _page(crowded, q="vetted", limit=5)
    assert found["total"] == 0 and found["items"] == []
    kept, _ = _page(crowded, q="wombat -vetted", limit=20)
    assert kept["total"] == WOMBATS and len(kept["items"]) == WOMBATS

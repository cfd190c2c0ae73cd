"""PostgreSQL: ranking a search reads each match's tsvector from the match's own row (migration 0018)."""

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's TOAST storage; SQLite's FTS5 has none")

_MATCHES = "FROM claim_fts, websearch_to_tsquery('english', 'ketamine') AS q WHERE document @@ q"
_COUNTED = f"SELECT count(*) {_MATCHES}"
_RANKED = f"SELECT claim_id {_MATCHES} ORDER BY ts_rank(document, q, 1) DESC LIMIT 5"


def _blocks(conn, sql: str) -> int:
    """Shared buffers the scan of the matching rows touched, as EXPLAIN counts them: index, heap and TOAST pages."""
    plan = conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")).scalar_one()[0]["Plan"]
    while plan["Node Type"] != "Bitmap Heap Scan":  # the rows are read, and ranked, here; sorts and counts read none
        (plan,) = plan["Plans"]
    return int(plan["Shared Hit Blocks"] + plan["Shared Read Blocks"])


def test_ranking_the_matches_reads_no_more_than_finding_them(bundled_url):
    """The index finds the matches and the heap holds their rows; a tsvector kept in TOAST cost reads of its own."""
    engine = create_engine(bundled_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SET enable_seqscan = off"))  # the index, as for a rarer word at a real size
            matches = conn.execute(text(_COUNTED)).scalar_one()
            widest = conn.execute(text("SELECT max(pg_column_size(claim_fts.*)) FROM claim_fts")).scalar_one()
            counted, ranked = _blocks(conn, _COUNTED), _blocks(conn, _RANKED)
    finally:
        engine.dispose()
    assert matches >= 5
    assert widest > 2032  # rows past TOAST_TUPLE_TARGET: some value of theirs is moved out of the row
    assert ranked == counted

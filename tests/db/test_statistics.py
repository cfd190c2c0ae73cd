"""A load leaves SQLite's query planner statistics that match what it wrote."""

import pytest
from sqlalchemy import text

from app import migrate
from app.db import create_db_engine
from app.services.loading import load_dataset
from tests.conftest import ON_POSTGRES


def _planned_claims(conn) -> int:
    """How many claims the planner believes there are."""
    stat = conn.execute(text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_claim_list_by_topic'")).scalar()
    return int(stat.split()[0]) if stat else 0


@pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL's autovacuum analyzes what a load changed on its own")
def test_a_load_refreshes_the_planner_statistics(new_database, bundled):
    engine = create_db_engine(new_database())
    migrate.upgrade(engine)
    with engine.connect() as conn:
        before = _planned_claims(conn)
    load_dataset(engine=engine, dataset=bundled, changed_by="test")
    with engine.connect() as conn:
        after = _planned_claims(conn)
        held = conn.execute(text("SELECT count(*) FROM claim")).scalar_one()
    engine.dispose()
    assert before == 0 < held
    assert after == held


@pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL's autovacuum analyzes what a load changed on its own")
def test_the_statistics_skip_tables_without_an_index(new_database, bundled):
    """FTS5's tables have no index to choose: ANALYZE read them whole, 1.5 s a load at 1,000,000 claims."""
    engine = create_db_engine(new_database())
    migrate.upgrade(engine)
    load_dataset(engine=engine, dataset=bundled, changed_by="test")
    with engine.connect() as conn:
        analyzed = set(conn.execute(text("SELECT tbl FROM sqlite_stat1")).scalars())
        indexed = set(conn.execute(text("SELECT tbl_name FROM sqlite_master WHERE type = 'index'")).scalars())
        search_tables = set(conn.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'claim_fts%'")).scalars())
    engine.dispose()
    assert {"claim", "citation", "claim_tag"} <= analyzed <= indexed  # empty tables get no statistics
    assert search_tables and not analyzed & search_tables

import datetime as dt

import pytest
from sqlalchemy import bindparam, select, text
from sqlalchemy.exc import OperationalError
from sqlmodel import col

from app.config import Settings
from app.db import create_db_engine, is_unavailable, statement_budget, timeouts
from app.models.claim import Claim
from app.prepared import PreparedRead
from app.services import claims, generation
from app.services.claims import ClaimSort
from tests.conftest import ON_POSTGRES, migrated_and_loaded
from tests.helpers import vetted

BY_TOPIC = select(col(Claim.id)).where(col(Claim.topic_id) == bindparam("topic", "mechanism")).order_by(col(Claim.id))


@pytest.fixture
def engine(bundled_url):
    engine = create_db_engine(bundled_url, timeouts(Settings(database_url=bundled_url)))
    yield engine
    engine.dispose()


def test_rows_are_sqlalchemys_rows_with_the_statements_own_values_or_the_callers(engine):
    prepared = PreparedRead(BY_TOPIC)
    with engine.connect() as conn:
        for values in ({}, {"topic": "efficacy-vs-ect"}, {"topic": "efficacy-vs-ect"}, {}):
            expected = conn.execute(BY_TOPIC, values).all()
            assert [tuple(row) for row in prepared.rows(conn, values)] == [tuple(row) for row in expected]
            assert expected  # both topics have claims, so the comparison says something
        assert prepared.first(conn, {"topic": "no-such-topic"}) is None


def test_a_statement_first_run_on_sqlite_still_runs_on_the_database_under_test(engine, bundled, tmp_path):
    """One process may hold engines of both kinds: SQLite's rendering never reaches another database."""
    prepared = PreparedRead(BY_TOPIC)
    sqlite = create_db_engine(migrated_and_loaded(f"sqlite:///{tmp_path / 'other.db'}", bundled))
    with sqlite.connect() as conn:
        on_sqlite = [tuple(row) for row in prepared.rows(conn)]
    sqlite.dispose()
    with engine.connect() as conn:
        assert [tuple(row) for row in prepared.rows(conn)] == on_sqlite == [tuple(r) for r in conn.execute(BY_TOPIC)]
    assert on_sqlite


def test_columns_sqlalchemy_converts_come_back_converted(engine):
    prepared = PreparedRead(select(col(Claim.id), col(Claim.updated_at)).order_by(col(Claim.id)).limit(1))
    with engine.connect() as conn:
        claim_id, updated_at = prepared.first(conn)
    assert isinstance(updated_at, dt.datetime) and updated_at.tzinfo is not None
    assert claim_id


@pytest.mark.skipif(ON_POSTGRES, reason="statement budgets are SQLite's (PostgreSQL has statement_timeout)")
def test_a_read_past_its_budget_fails_as_sqlalchemys_unavailable_error(engine):
    slow = PreparedRead(text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"))
    with engine.connect() as conn, statement_budget(0.05), pytest.raises(OperationalError) as failed:
        slow.rows(conn)
    assert is_unavailable(failed.value)
    assert "interrupted" in str(failed.value.orig)


@pytest.mark.skipif(ON_POSTGRES, reason="only SQLite's driver takes rendered statements")
def test_the_hot_reads_statements_run_on_the_driver(uncached, bundled):
    """A statement whose columns SQLAlchemy must convert falls back to its execute: the hot ones must not."""
    claim_id = vetted(bundled)[0].id
    assert uncached.get(f"/v1/claims/{claim_id}").status_code == 200
    cursor = uncached.get("/v1/claims?limit=2").json()["next_cursor"]
    assert uncached.get(f"/v1/claims?limit=2&cursor={cursor}").status_code == 200
    in_id_order = [statement for (_, sort, _), statement in claims._LISTINGS.items() if sort == ClaimSort.id]
    assert len(in_id_order) >= 2  # a first page and a later one
    for statement in [claims._CLAIM_DOCUMENT, generation._GENERATION, *in_id_order]:
        assert statement.rendered is not None and not statement.sqlalchemy_only

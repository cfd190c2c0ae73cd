"""PostgreSQL reads: one round trip a statement."""

import pytest
from sqlalchemy import text

from app.db import Timeouts, connected, create_db_engine
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's transactions and pool; SQLite has neither")


def test_a_read_opens_no_transaction_around_its_statements(bundled_url):
    """Each statement is its own transaction: no BEGIN before it, no ROLLBACK after, each a round trip of its own."""
    engine = create_db_engine(bundled_url, Timeouts(statement=5.0, connect=5.0, pool=5.0))
    try:
        with connected(engine) as conn:
            first = conn.execute(text("SELECT transaction_timestamp(), statement_timestamp()")).one()
            assert conn.connection.dbapi_connection.info.transaction_status.name == "IDLE"
            second = conn.execute(text("SELECT transaction_timestamp()")).scalar_one()
        assert first[0] == first[1]  # the transaction began with the statement itself
        assert second > first[0]  # and the next statement ran in a transaction of its own
    finally:
        engine.dispose()

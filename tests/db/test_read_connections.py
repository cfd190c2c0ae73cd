"""PostgreSQL reads: one round trip a statement, and pooled connections that died while idle replaced unseen."""

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.config import Settings
from app.db import PING_AFTER_IDLE, Timeouts, connected, create_db_engine
from app.main import create_app
from tests.conftest import ON_POSTGRES, migrated_and_loaded

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


def test_statements_are_planned_with_their_own_values_after_the_driver_prepares_them(bundled_url):
    """psycopg prepares a statement after five runs; a generic plan made without the search words took twice as long."""
    engine = create_db_engine(bundled_url, Timeouts(statement=5.0, connect=5.0, pool=5.0))
    try:
        with connected(engine) as conn:
            assert conn.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
            for _ in range(7):  # past psycopg's threshold, and past the five custom plans PostgreSQL makes first
                conn.execute(text("SELECT count(*) FROM claim WHERE topic_id = :topic"), {"topic": "mechanism"})
            plans = conn.execute(text("SELECT generic_plans, custom_plans FROM pg_prepared_statements")).all()
        assert plans and all(generic == 0 for generic, _ in plans)
    finally:
        engine.dispose()


def test_a_pooled_connection_the_server_closed_while_idle_is_replaced_without_a_failed_request(new_database, bundled):
    url = migrated_and_loaded(new_database(), bundled)
    settings = Settings(database_url=url, response_cache_entries=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert client.get("/v1/topics").status_code == 200
        admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            ended = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        admin.dispose()
        assert ended >= 1  # the app's pooled connections, now dead
        time.sleep(PING_AFTER_IDLE + 0.2)
        for path in ("/v1/topics", "/v1/claims/ect-more-efficacious-than-ketamine", "/v1/sources"):
            assert client.get(path).status_code == 200, path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app import migrate
from app.db import create_db_engine


def test_upgrade_on_empty_database_produces_exactly_the_models(new_database):
    engine = create_db_engine(new_database())
    assert not migrate.is_current(engine)
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True, "include_name": migrate.include_name}),
            SQLModel.metadata,
        )
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert diff == []
    assert tables >= {"topic", "source", "claim", "citation", "claim_tag", "claim_revision", "alembic_version"}


def test_upgrade_twice_is_harmless(new_database):
    engine = create_db_engine(new_database())
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    engine.dispose()

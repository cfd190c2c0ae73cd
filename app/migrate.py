"""Run Alembic from code, so `evidence db upgrade` and `evidence serve` need no alembic.ini."""

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from app.db import refresh_statistics
from app.resources import shipped

# Full-text search tables differ by database (FTS5, tsvector) and have no model; migration 0002 owns them.
SEARCH_TABLE_PREFIX = "claim_fts"


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Leave the search tables (and FTS5's shadow tables) out of model comparisons."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE_PREFIX))


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(shipped("migrations")))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> list[str]:
    """Bring the schema to the newest revision and return the revisions applied, oldest first.

    On PostgreSQL a lock keeps replicas starting together from racing.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7254019)")
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        before = MigrationContext.configure(connection).get_current_revision()
        command.upgrade(config, "head")
        after = MigrationContext.configure(connection).get_current_revision()
    if after == before or after is None:
        return []
    refresh_statistics(engine)  # new indexes need their statistics
    applied = ScriptDirectory.from_config(config).iterate_revisions(after, before)
    return [script.revision for script in reversed(list(applied))]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_current(engine: Engine) -> bool:
    """True when the database stands at the newest migration (used by /readyz)."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head

"""PostgreSQL notifies every new dataset generation, so workers learn it without asking.

The notification is sent when the writing transaction commits, carrying the new generation.
SQLite has nothing to notify: it is read in place.

Revision ID: 0008_generation_notify
Revises: 0007_covering_list_indexes
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_generation_notify"
down_revision: str | None = "0007_covering_list_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The channel name is app.services.generation.CHANNEL; a migration keeps its own copy of what it creates.
FUNCTION = """
CREATE FUNCTION notify_dataset_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('evidence_generation', NEW.generation::text);
    RETURN NEW;
END
$$
"""
TRIGGER = """
CREATE TRIGGER dataset_generation_notify AFTER UPDATE OF generation ON dataset_state
FOR EACH ROW EXECUTE FUNCTION notify_dataset_generation()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)
        op.execute(TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER dataset_generation_notify ON dataset_state")
        op.execute("DROP FUNCTION notify_dataset_generation()")

"""Covering indexes for lists and filters: counts and pages never read the wide claim rows.

A claim row holds its texts and pre-rendered document, so its status sits in overflow pages;
filtering through those rows made `count(*)` read every claim. Each index leads with what a
list orders or looks up by and carries every filter column after it.

Revision ID: 0007_covering_list_indexes
Revises: 0006_cursor_secret
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_covering_list_indexes"
down_revision: str | None = "0006_cursor_secret"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = {
    "ix_claim_status_id": ["status", "id"],
    "ix_claim_status_updated": ["status", "updated_at", "id"],
    "ix_claim_status_certainty": ["status", "certainty_rank", "id"],
}
NEW = {
    "ix_claim_list_by_id": ["status", "id", "topic_id", "verdict", "certainty_rank"],
    "ix_claim_list_by_topic": ["status", "topic_id", "id", "verdict", "certainty_rank"],
    "ix_claim_list_by_updated": ["status", "updated_at", "id", "topic_id", "verdict", "certainty_rank"],
    "ix_claim_list_by_certainty": ["status", "certainty_rank", "id", "topic_id", "verdict"],
    "ix_claim_id_filters": ["id", "status", "topic_id", "verdict", "certainty_rank"],
}


def upgrade() -> None:
    for name in OLD:
        op.drop_index(name, table_name="claim")
    for name, columns in NEW.items():
        op.create_index(name, "claim", columns)


def downgrade() -> None:
    for name in NEW:
        op.drop_index(name, table_name="claim")
    for name, columns in OLD.items():
        op.create_index(name, "claim", columns)

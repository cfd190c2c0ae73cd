"""Curation through the API: who last edited a claim, source revisions, remembered import responses.

Revision ID: 0010_curation
Revises: 0009_dataset_release
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_curation"
down_revision: str | None = "0009_dataset_release"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_by", sa.String(length=100), nullable=True))
    op.create_table(
        "source_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=81), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("snapshot", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "version"),
    )
    with op.batch_alter_table("source_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_revision_source_id"), ["source_id"], unique=False)
    op.create_table(
        "idempotent_request",
        sa.Column("key_name", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_name", "idempotency_key"),
    )


def downgrade() -> None:
    op.drop_table("idempotent_request")
    with op.batch_alter_table("source_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_revision_source_id"))
    op.drop_table("source_revision")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_column("edited_by")

"""claims, sources, topics and revisions

Revision ID: 0001
Revises:
Create Date: 2026-11-26 03:08:38.053205
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.String(length=81), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("container_title", sa.String(), nullable=True),
        sa.Column("publisher", sa.String(), nullable=True),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("issued", sa.String(length=10), nullable=True),
        sa.Column("volume", sa.String(), nullable=True),
        sa.Column("issue", sa.String(), nullable=True),
        sa.Column("pages", sa.String(), nullable=True),
        sa.Column("doi", sa.String(), nullable=True),
        sa.Column("pmid", sa.String(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("accessed", sa.Date(), nullable=False),
        sa.Column("reliability_rating", sa.String(length=10), nullable=False),
        sa.Column("reliability_note", sa.String(), nullable=False),
        sa.Column("verified_at", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=True),
        sa.Column("text_sha256", sa.String(length=64), nullable=True),
        sa.Column("text_length", sa.Integer(), nullable=True),
        sa.Column("text_seen_at", sa.String(), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "topic",
        sa.Column("id", sa.String(length=81), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "claim",
        sa.Column("id", sa.String(length=81), nullable=False),
        sa.Column("topic_id", sa.String(length=81), nullable=False),
        sa.Column("statement", sa.String(), nullable=False),
        sa.Column("assessment", sa.String(), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("certainty_level", sa.String(length=10), nullable=False),
        sa.Column("certainty_rank", sa.Integer(), nullable=False),
        sa.Column("certainty_note", sa.String(), nullable=False),
        sa.Column("certainty_downgrades", sa.JSON(), nullable=False),
        sa.Column("pico", sa.JSON(), nullable=True),
        sa.Column("snippet", sa.String(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("document", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.create_index("ix_claim_status_certainty", ["status", "certainty_rank", "id"], unique=False)
        batch_op.create_index("ix_claim_status_id", ["status", "id"], unique=False)
        batch_op.create_index("ix_claim_status_updated", ["status", "updated_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "citation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(length=81), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=81), nullable=False),
        sa.Column("relation", sa.String(length=12), nullable=False),
        sa.Column("quote", sa.String(), nullable=True),
        sa.Column("locator_start", sa.Integer(), nullable=True),
        sa.Column("locator_end", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claim_id", "position"),
    )
    with op.batch_alter_table("citation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citation_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_citation_source_id"), ["source_id"], unique=False)

    op.create_table(
        "claim_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(length=81), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("snapshot", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claim_id", "version"),
    )
    with op.batch_alter_table("claim_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_revision_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "claim_tag",
        sa.Column("claim_id", sa.String(length=81), nullable=False),
        sa.Column("tag", sa.String(length=41), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("claim_id", "tag"),
    )
    with op.batch_alter_table("claim_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_tag_tag"), ["tag"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claim_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_tag_tag"))

    op.drop_table("claim_tag")
    with op.batch_alter_table("claim_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_revision_claim_id"))

    op.drop_table("claim_revision")
    with op.batch_alter_table("citation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citation_source_id"))
        batch_op.drop_index(batch_op.f("ix_citation_claim_id"))

    op.drop_table("citation")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_topic_id"))
        batch_op.drop_index("ix_claim_status_updated")
        batch_op.drop_index("ix_claim_status_id")
        batch_op.drop_index("ix_claim_status_certainty")

    op.drop_table("claim")
    op.drop_table("topic")
    op.drop_table("source")

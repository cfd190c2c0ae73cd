"""Synonym groups kept with the dataset; dense claim embeddings per claim version and model.

Revision ID: 0011_semantic_search
Revises: 0010_curation
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_semantic_search"
down_revision: str | None = "0010_curation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Both start empty: `evidence load` fills them from the dataset and the embedding model."""
    op.create_table(
        "synonym_group",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("position"),
    )
    op.create_table(
        "claim_embedding",
        sa.Column("claim_id", sa.String(length=81), nullable=False),
        sa.Column("model", sa.String(length=80), nullable=False),
        sa.Column("claim_version", sa.Integer(), nullable=False),
        sa.Column("dimensions", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("claim_id", "model"),
    )


def downgrade() -> None:
    op.drop_table("claim_embedding")
    op.drop_table("synonym_group")

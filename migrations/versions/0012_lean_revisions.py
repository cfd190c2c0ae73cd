"""A claim's current revision holds no copy of its document: the claim row has it.

The copy moves into the revision when the next version replaces it, so every version stays
readable while a corpus of claims that were written once stores each document once.

Revision ID: 0012_lean_revisions
Revises: 0011_semantic_search
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_lean_revisions"
down_revision: str | None = "0011_semantic_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CURRENT = (
    "(SELECT document FROM claim WHERE claim.id = claim_revision.claim_id AND claim.version = claim_revision.version)"
)


def upgrade() -> None:
    with op.batch_alter_table("claim_revision") as batch:
        batch.alter_column("snapshot", existing_type=sa.String(), nullable=True)
    op.execute(f"UPDATE claim_revision SET snapshot = NULL WHERE snapshot = {_CURRENT}")


def downgrade() -> None:
    op.execute(f"UPDATE claim_revision SET snapshot = {_CURRENT} WHERE snapshot IS NULL")
    with op.batch_alter_table("claim_revision") as batch:
        batch.alter_column("snapshot", existing_type=sa.String(), nullable=False)

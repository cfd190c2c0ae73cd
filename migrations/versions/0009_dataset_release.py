"""The release label of the last dataset loaded, reported by /v1/meta.

Revision ID: 0009_dataset_release
Revises: 0008_generation_notify
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_dataset_release"
down_revision: str | None = "0008_generation_notify"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dataset_state") as batch:
        batch.add_column(sa.Column("release", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dataset_state") as batch:
        batch.drop_column("release")

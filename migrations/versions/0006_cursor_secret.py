"""A random key per database for signing pagination cursors, shared by every replica using it.

Revision ID: 0006_cursor_secret
Revises: 0005_source_citation
Create Date: 2026-11-26
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_cursor_secret"
down_revision: str | None = "0005_source_citation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dataset_state") as batch_op:
        batch_op.add_column(sa.Column("cursor_secret", sa.String(length=64), nullable=True))
    op.execute(sa.text("UPDATE dataset_state SET cursor_secret = :secret").bindparams(secret=secrets.token_hex(32)))
    with op.batch_alter_table("dataset_state") as batch_op:
        batch_op.alter_column("cursor_secret", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("dataset_state") as batch_op:
        batch_op.drop_column("cursor_secret")

"""Each source keeps its Vancouver reference, rendered on write so reads never run the CSL processor.

Revision ID: 0005_source_citation
Revises: 0004_api_keys
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.domain.csl import csl_item
from app.domain.styles import Style, render

revision: str = "0005_source_citation"
down_revision: str | None = "0004_api_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("source", sa.Column("citation", sa.String(), nullable=False, server_default=""))
    source = sa.table(
        "source",
        *(sa.column(name) for name in ("id", "kind", "title", "container_title", "publisher", "issued")),
        *(sa.column(name) for name in ("volume", "issue", "pages", "doi", "pmid", "url", "accessed")),
        sa.column("authors", sa.JSON()),
        sa.column("citation"),
    )
    conn = op.get_bind()
    for row in conn.execute(sa.select(source)).all():
        citation = render(csl_item(row._mapping), Style.vancouver)
        conn.execute(source.update().where(source.c.id == row.id).values(citation=citation))


def downgrade() -> None:
    op.drop_column("source", "citation")

"""PostgreSQL: the tsvector a search ranks stays in its claim's row, where ts_rank reads it without a TOAST fetch.

A row of claim_fts holds the claim's indexed texts and two tsvectors, past the 2 KB at which
PostgreSQL moves a row's largest values out to its TOAST table. The whole document's tsvector
(1,400 bytes on average at 10,000 synthetic claims, which pglz does not shrink) was one of them,
so ranking a search fetched every match's tsvector back in pieces, and so did counting a common
word's claims, which tests every row. STORAGE MAIN keeps it in the row and the texts, which only
a page's fragments read, go out instead. Over 200 searches of the load harness's kind at 10,000
claims, ranking took 1.65 ms a search instead of 3.9, and the app served 167 searches a second
instead of 138 (medians of three alternating runs). SQLite's FTS5 has no such storage.

Revision ID: 0018_ranked_tsvector_in_row
Revises: 0017_fts_external_content
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018_ranked_tsvector_in_row"
down_revision: str | None = "0017_fts_external_content"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE claim_fts ALTER COLUMN document SET STORAGE MAIN")
    # A row keeps the layout it was written with: computing each tsvector again writes it into the row.
    op.execute("UPDATE claim_fts SET document = DEFAULT")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE claim_fts ALTER COLUMN document SET STORAGE EXTENDED")

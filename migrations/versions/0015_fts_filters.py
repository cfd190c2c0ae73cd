"""SQLite: the key table beside the FTS5 index also holds each claim's filter columns.

A search joined every match to the claim table to check its status (and any other filter):
at 100,000 claims, a word in 69% of them took 72 ms to count that way, 13 ms with the key
table alone, whose rows FTS5 reaches in rowid order. PostgreSQL joins claim by its primary
key in the search statement, so it needs nothing.

Revision ID: 0015_fts_filters
Revises: 0014_about_vector
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_fts_filters"
down_revision: str | None = "0014_about_vector"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY_TABLE = """CREATE TABLE claim_fts_key (
    rowid INTEGER PRIMARY KEY,
    claim_id VARCHAR(81) NOT NULL,
    status VARCHAR(10) NOT NULL,
    topic_id VARCHAR(81) NOT NULL,
    verdict VARCHAR(20) NOT NULL,
    certainty_rank INTEGER NOT NULL
)"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("ALTER TABLE claim_fts_key RENAME TO claim_fts_key_old")
    op.execute(_KEY_TABLE)
    op.execute(
        "INSERT INTO claim_fts_key (rowid, claim_id, status, topic_id, verdict, certainty_rank) "
        "SELECT old.rowid, old.claim_id, claim.status, claim.topic_id, claim.verdict, claim.certainty_rank "
        "FROM claim_fts_key_old AS old JOIN claim ON claim.id = old.claim_id"
    )
    op.execute("DROP TABLE claim_fts_key_old")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE claim_fts_key_old (rowid INTEGER PRIMARY KEY, claim_id VARCHAR(81) NOT NULL)")
    op.execute("INSERT INTO claim_fts_key_old (rowid, claim_id) SELECT rowid, claim_id FROM claim_fts_key")
    op.execute("DROP TABLE claim_fts_key")
    op.execute("ALTER TABLE claim_fts_key_old RENAME TO claim_fts_key")

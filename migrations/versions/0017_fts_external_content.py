"""SQLite: the FTS5 index keeps no copy of the text it indexes, and reads it from the claim's own rows.

The index's content table repeated each claim's statement, snippet, assessment, citation notes,
topic label and status: 1,573 bytes a claim at 100,000 claims, 16% of the database. Writing that
copy, at rowids spread over the whole table, took 6 of the 14 s FTS5 spent indexing 100,000
claims in bundles of 5,000 (a raw sqlite3 comparison), though imports through the app took as
long without it (61.8 s against 60.7). Now FTS5 reads a claim's text, when it
needs it (a search's fragments, and what it removes when the text changes), from the view
claim_fts_text over claim_fts_key, claim, citation and topic. The index is built again from that
view. PostgreSQL's index is a table of its own and stays as it is.

Revision ID: 0017_fts_external_content
Revises: 0016_fts_status
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017_fts_external_content"
down_revision: str | None = "0016_fts_status"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = "claim_id, statement, snippet, assessment, notes, topic_label, status"
_FTS = (
    "CREATE VIRTUAL TABLE claim_fts USING fts5(claim_id UNINDEXED, statement, snippet, assessment, notes, "
    "topic_label, status, tokenize = 'porter unicode61 remove_diacritics 2'{content})"
)
# What the index holds of each claim, as the app indexes it: notes joined by a space in citation order
# (a subquery's ORDER BY is kept, as an aggregate's outer query is never flattened into it).
_TEXT = """SELECT key.rowid AS fts_rowid, key.claim_id, claim.statement, claim.snippet, claim.assessment,
    (SELECT group_concat(note, ' ') FROM (
        SELECT note FROM citation WHERE citation.claim_id = key.claim_id ORDER BY position
    )) AS notes,
    topic.label AS topic_label, claim.status
FROM claim_fts_key AS key JOIN claim ON claim.id = key.claim_id JOIN topic ON topic.id = claim.topic_id"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE claim_fts")
    op.execute(f"CREATE VIEW claim_fts_text AS {_TEXT}")
    op.execute(_FTS.format(content=", content = 'claim_fts_text', content_rowid = 'fts_rowid'"))
    op.execute("INSERT INTO claim_fts (claim_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE claim_fts")
    op.execute("DROP VIEW claim_fts_text")
    op.execute(_FTS.format(content=""))
    filled = f"SELECT fts_rowid, {_COLUMNS} FROM ({_TEXT}) ORDER BY fts_rowid"
    op.execute(f"INSERT INTO claim_fts (rowid, {_COLUMNS}) {filled}")

"""Full-text search over claims: FTS5 on SQLite, a weighted tsvector with GIN on PostgreSQL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.search import fts_rowid

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Same columns on both databases; weights A-D rank a match in the statement above one in a note.
POSTGRES_TABLE = """
CREATE TABLE claim_fts (
    claim_id VARCHAR(81) PRIMARY KEY REFERENCES claim (id) ON DELETE CASCADE,
    statement TEXT NOT NULL,
    snippet TEXT NOT NULL,
    assessment TEXT NOT NULL,
    notes TEXT NOT NULL,
    topic_label TEXT NOT NULL,
    document TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('english', statement), 'A')
        || setweight(to_tsvector('english', snippet || ' ' || topic_label), 'B')
        || setweight(to_tsvector('english', assessment), 'C')
        || setweight(to_tsvector('english', notes), 'D')
    ) STORED
)
"""

SQLITE_TABLE = """
CREATE VIRTUAL TABLE claim_fts USING fts5(
    claim_id UNINDEXED, statement, snippet, assessment, notes, topic_label,
    tokenize = 'porter unicode61 remove_diacritics 2'
)
"""

EXISTING_CLAIMS = """
SELECT claim.id AS claim_id, claim.statement, claim.snippet, claim.assessment,
       COALESCE((SELECT {aggregate} FROM citation WHERE citation.claim_id = claim.id), '') AS notes,
       topic.label AS topic_label
FROM claim JOIN topic ON topic.id = claim.topic_id
"""


def upgrade() -> None:
    """Create the index and fill it with the claims already there."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(POSTGRES_TABLE)
        op.execute("CREATE INDEX ix_claim_fts_document ON claim_fts USING GIN (document)")
        op.execute(
            "INSERT INTO claim_fts (claim_id, statement, snippet, assessment, notes, topic_label) "
            + EXISTING_CLAIMS.format(aggregate="string_agg(citation.note, ' ')")
        )
        return
    op.execute(SQLITE_TABLE)
    rows = bind.execute(sa.text(EXISTING_CLAIMS.format(aggregate="group_concat(citation.note, ' ')"))).mappings()
    for row in rows.all():
        bind.execute(
            sa.text(
                "INSERT INTO claim_fts (rowid, claim_id, statement, snippet, assessment, notes, topic_label) "
                "VALUES (:rowid, :claim_id, :statement, :snippet, :assessment, :notes, :topic_label)"
            ),
            {**row, "rowid": fts_rowid(row["claim_id"])},
        )


def downgrade() -> None:
    op.execute("DROP TABLE claim_fts")

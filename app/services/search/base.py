"""What every full-text engine offers the services: matching, ranking, frequencies, indexing."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import CTE
from sqlmodel import Session

from app.domain.query import Alternatives, Query

MARK_START, MARK_END = "<mark>", "</mark>"
INDEXED_CLAIMS = text("SELECT count(*) FROM claim_fts")  # the same on every engine: one row per indexed claim


@dataclass(frozen=True)
class QuestionMatch:
    """A claim matching any word group of a question, with what it matched."""

    claim_id: str
    text_rank: float  # the engine's own rank (BM25, ts_rank): higher is better, comparable within one question only
    about: tuple[bool, ...]  # per word group: found in what the claim is about (statement, snippet, topic)


class TextSearch(Protocol):
    """A full-text engine over the claim_fts index, the same meaning on every database."""

    def hits(self, query: Query) -> CTE:
        """(claim_id, score) of claims matching every word group; a higher score is more relevant."""
        ...

    def matches(self, query: Query) -> CTE:
        """(claim_id) of the same claims, unranked: for counting and facets."""
        ...

    def question_matches(self, conn: Connection, query: Query, *, limit: int) -> list[QuestionMatch]:
        """Claims matching any word group, the `limit` best by text rank, in one statement."""
        ...

    def indexed_claims(self, conn: Connection) -> int:
        """How many claims the index holds: a scan of the whole index, so callers keep it per generation."""
        ...

    def containing(self, conn: Connection, groups: Sequence[Alternatives]) -> list[int]:
        """Document frequency of each word group, in one statement."""
        ...

    def fragments(self, conn: Connection, query: Query, claim_ids: list[str]) -> dict[str, str]:
        """Where each claim matched: a short passage with the matched words marked."""
        ...

    def index_claims(self, session: Session, claims: Sequence[tuple[str, dict[str, str]]]) -> None:
        """Replace each claim's search row inside the write's transaction, so both commit together.

        Each claim comes as (id, fields); fields hold statement, snippet, assessment, notes and topic_label.
        """
        ...

    def relabel_topic(self, session: Session, *, topic_id: str, label: str) -> None:
        """Keep the topic label indexed with each of its claims current."""
        ...

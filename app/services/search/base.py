"""What every full-text engine offers the services: matching, ranking, frequencies, indexing."""

from collections.abc import Sequence
from functools import cache
from typing import NamedTuple, Protocol

from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import CTE
from sqlmodel import Session

from app.domain.query import Alternatives, Query

MARK_START, MARK_END = "<mark>", "</mark>"


class QuestionMatch(NamedTuple):
    """A claim about some word group of a question, with which groups it is about."""

    claim_id: str
    about: tuple[bool, ...]  # per word group: found in what the claim is about (statement, snippet, topic)


@cache  # hundreds of rows per question share a few bit sets
def about_groups(bits: int, count: int) -> tuple[bool, ...]:
    """Which of `count` word groups a claim is about, from the bit set a question's statement sums."""
    return tuple(bool(bits >> i & 1) for i in range(count))


class TextSearch(Protocol):
    """A full-text engine over the claim_fts index, the same meaning on every database."""

    def hits(self, query: Query) -> CTE:
        """(claim_id, score) of claims matching every word group; a higher score is more relevant."""
        ...

    def matches(self, query: Query) -> CTE:
        """(claim_id) of the same claims, unranked: for counting and facets."""
        ...

    def question_matches(
        self, conn: Connection, query: Query, weights: Sequence[float], *, limit: int
    ) -> list[QuestionMatch]:
        """The `limit` claims whose statement, snippet or topic hold most weight of the word groups, in one statement.

        A claim's score is the sum of the weights of the groups it is about, which is the ranker's
        lexical score: each group's matches are read once, and no other relevance is computed.
        Equal scores are broken by a key of the engine's own, the same for the same dataset.
        """
        ...

    def indexed_claims(self, conn: Connection) -> int:
        """How many claims the index holds: a count of every row, so callers keep it per generation."""
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

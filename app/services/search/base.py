"""What every full-text engine offers the services: matching, ranking, frequencies, indexing."""

from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Float, Integer, String, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import CTE
from sqlmodel import Session

from app.domain.query import Alternatives, Query
from app.models.claim import ClaimStatus

MARK_START, MARK_END = "<mark>", "</mark>"
# What hits() and matches() carry of each claim besides its id, so a search filters without reading claim.
FILTER_COLUMNS = {"status": String, "topic_id": String, "verdict": String, "certainty_rank": Integer}


# What best_hits() adds: how many matches it kept, and the lowest score among them.
BEST_COLUMNS = {"candidates": Integer, "lowest": Float}


def found_cte(sql: str, params: dict[str, Any], *, ranked: bool, best: bool = False) -> CTE:
    """`sql`'s rows as the CTE hits(), best_hits() and matches() return: claim_id, score when ranked, the filter
    columns, and BEST_COLUMNS from best_hits()."""
    columns = {"claim_id": String} | ({"score": Float} if ranked else {}) | FILTER_COLUMNS
    columns |= BEST_COLUMNS if best else {}
    # Materialized: the engine searches once, then joins, instead of searching again per claim row.
    return text(sql).bindparams(**params).columns(**columns).cte("hits").prefix_with("MATERIALIZED")


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
        """(claim_id, score, *FILTER_COLUMNS) of claims matching every word group; a higher score is more relevant."""
        ...

    def best_hits(self, query: Query, *, after: bool = False) -> CTE:
        """hits() cut to the `:candidates` best scores before any filter, each row with BEST_COLUMNS.

        After a cursor (`after`), only matches scoring at most its `:after_0` are kept.

        Ranking every match reads every match's filter columns; this reads them for the best few.
        A match left out scores no higher than `lowest`, so a page drawn from these is exact when
        it is full and its last score is above `lowest`, or when fewer than `:candidates` matched.
        """
        ...

    def matches(self, query: Query) -> CTE:
        """(claim_id, *FILTER_COLUMNS) of the same claims, unranked: for counting and facets."""
        ...

    def count_of_status(self, conn: Connection, query: Query, status: ClaimStatus) -> int:
        """How many claims of `status` match every word group: a search's total when no other filter is set."""
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

    def unindex_claims(self, session: Session, claim_ids: Sequence[str]) -> None:
        """Take indexed claims out of the index before their rows change, in the write's transaction.

        FTS5 keeps no copy of the text (0017): it reads what it takes out from the claim's rows,
        which must still hold the indexed version.
        """
        ...

    def index_claims(self, session: Session, claims: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Index claims that are new or were unindexed, inside the write's transaction, so both commit together.

        Each claim comes as (id, fields); fields hold statement, snippet, assessment, notes and
        topic_label, and the claim's FILTER_COLUMNS: what the claim's rows hold once written.
        """
        ...

    def relabel_topic(self, session: Session, *, topic_id: str, label: str) -> None:
        """Keep the topic label indexed with each of its claims current; called before the topic row changes."""
        ...

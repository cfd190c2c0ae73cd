"""What search keeps in memory about the dataset, rebuilt whenever a write bumps the generation.

Every write bumps the generation in its own transaction, so a figure cached under one
generation is exact until the next write, on whichever replica it happens: the synonym table,
the claims' vectors, and the document frequency of each word group asked about so far.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from threading import Lock
from typing import NamedTuple

import numpy as np
from sqlalchemy import and_, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from app.domain.query import Alternatives
from app.domain.synonyms import SynonymTable, synonym_table
from app.models.claim import Claim, ClaimStatus
from app.models.embedding import ClaimEmbedding, stored_vector
from app.models.synonym import SynonymGroup
from app.services.embedders import Vectors
from app.services.search import TextSearch

logger = logging.getLogger(__name__)
MAX_CACHED_GROUPS = 50_000  # word groups remembered per generation; a flood of distinct questions starts afresh


def current_generation(conn: Connection) -> int:
    generation: int = conn.exec_driver_sql("SELECT generation FROM dataset_state").scalar_one()
    return generation


class Listed(NamedTuple):
    """What filters a ranked claim: answers name only vetted claims, of the topic and certainty asked for."""

    topic_id: str
    certainty_rank: int


@dataclass
class CorpusView:
    """The dataset as search sees it at one generation."""

    generation: int
    synonyms: SynonymTable
    claim_ids: list[str]  # vetted claims with a current vector, in the order of the columns
    columns: Vectors  # one column per claim's vector (dimensions by claims), contiguous
    vetted: dict[str, Listed]  # every vetted claim, with or without a vector
    claims: int | None = None  # indexed claims, once counted
    containing: dict[Alternatives, int] = field(default_factory=dict)

    def nearest(self, question: Vectors, *, limit: int) -> list[tuple[str, float]]:
        """(claim_id, cosine similarity) of the `limit` closest claims, exactly, best first.

        A product of the question with every vector, held as the columns of one contiguous matrix:
        3.1 ms for 66,000 vectors of 256, where the same product with one vector per row took 7.1
        (OpenBLAS, one thread; the sum runs in another order, so a similarity may differ in its last
        bits). Past about 100,000 claims this is the step to hand to the database: a pgvector column with an HNSW
        index on claim_embedding, or a sqlite-vec table written beside it by ClaimIndexer, with
        one ORDER BY distance LIMIT query in place of this method and of `columns` in memory.
        """
        if not self.claim_ids:
            return []
        similarity = question @ self.columns
        # The best `limit` found in linear time, then ordered (a full sort of 100,000 took 5 ms)
        top = np.argpartition(-similarity, limit - 1)[:limit] if len(similarity) > limit else np.arange(len(similarity))
        best = top[np.lexsort((top, -similarity[top]))]  # by similarity, ties by position, as a stable sort
        return [(self.claim_ids[i], float(similarity[i])) for i in best]


@dataclass
class Corpus:
    """One per app; `view` costs one indexed read, plus two loads after each write."""

    text_search: TextSearch
    embedding_model: str
    _view: CorpusView | None = None
    _lock: Lock = field(default_factory=Lock)
    _loading: Lock = field(default_factory=Lock)

    def view(self, conn: Connection) -> CorpusView:
        """The view of the current generation; one request loads it while the others wait for it.

        Loading reads every vector: sixteen requests each loading the same view would take
        sixteen times as long, and each would hold the GIL the others need.
        """
        generation = current_generation(conn)
        view = self._view
        if view is not None and view.generation == generation:
            return view
        with self._loading:
            view = self._view
            if view is None or view.generation != generation:
                view = self._load(conn, generation)
                with self._lock:
                    self._view = view
        return view

    def frequencies(self, conn: Connection, view: CorpusView, groups: Sequence[Alternatives]) -> tuple[int, list[int]]:
        """The number of indexed claims and how many contain each group: one statement for unknown groups.

        Both are kept for the generation: counting every indexed claim reads a whole table
        (80 ms at 100,000 claims when it was FTS5's own), and a common word's count reads its matches.
        """
        with self._lock:
            if len(view.containing) > MAX_CACHED_GROUPS:
                view.containing.clear()
            known = {group: view.containing[group] for group in groups if group in view.containing}
            claims = view.claims
        unknown = [group for group in dict.fromkeys(groups) if group not in known]
        if claims is None:
            claims = self.text_search.indexed_claims(conn)
            with self._lock:
                view.claims = claims
        if unknown:
            learnt = dict(zip(unknown, self.text_search.containing(conn, unknown), strict=True))
            known.update(learnt)
            with self._lock:
                view.containing.update(learnt)
        return claims, [known[group] for group in groups]

    def _load(self, conn: Connection, generation: int) -> CorpusView:
        groups = conn.execute(select(col(SynonymGroup.entries)).order_by(col(SynonymGroup.position))).scalars().all()
        current = and_(
            col(ClaimEmbedding.claim_id) == col(Claim.id),
            col(ClaimEmbedding.claim_version) == col(Claim.version),
            col(ClaimEmbedding.model) == self.embedding_model,
        )
        rows = conn.execute(
            select(
                col(Claim.id),
                col(Claim.topic_id),
                col(Claim.certainty_rank),
                col(ClaimEmbedding.vector),
                col(ClaimEmbedding.dimensions),
            )
            .outerjoin(ClaimEmbedding, current)
            .where(col(Claim.status) == ClaimStatus.vetted.value)
            .order_by(col(Claim.id))
        ).all()
        embedded = [row for row in rows if row.vector is not None]
        if len(embedded) < len(rows):
            logger.warning(
                "%d vetted claim(s) have no vector from %s, so only full-text search ranks them; "
                "run `evidence load DIR` or `evidence serve` once to embed them",
                len(rows) - len(embedded),
                self.embedding_model,
            )
        vectors = [stored_vector(row.vector, row.dimensions) for row in embedded]
        columns = np.stack(vectors, axis=1).astype(np.float32) if vectors else np.zeros((1, 0), dtype=np.float32)
        vetted = {row.id: Listed(row.topic_id, row.certainty_rank) for row in rows}
        return CorpusView(generation, synonym_table(groups), [row.id for row in embedded], columns, vetted)

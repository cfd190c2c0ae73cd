"""What a claim write keeps in step with the claim, in the write's own transaction.

Its full-text row and its dense embedding: both describe the version being written, so a
reader never sees a claim ranked by text it no longer has.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, and_, delete, select
from sqlmodel import Session, col

from app.db import insert_rows
from app.models.claim import Claim
from app.models.embedding import ClaimEmbedding, vector_bytes
from app.models.topic import Topic
from app.services.embedders import Embedder, claim_text, load_embedder
from app.services.search import TextSearch, text_search_for

EMBED_BATCH = 64


@dataclass(frozen=True)
class ClaimIndexer:
    text_search: TextSearch
    embedder: Embedder

    def index_claims(self, session: Session, claims: Sequence[tuple[str, int, dict[str, str]]]) -> None:
        """Each claim as (id, version, fields); fields hold statement, snippet, assessment, notes and topic_label."""
        self.text_search.index_claims(session, [(claim_id, fields) for claim_id, _, fields in claims])
        texts = [
            (
                claim_id,
                version,
                claim_text(topic_label=f["topic_label"], statement=f["statement"], snippet=f["snippet"]),
            )
            for claim_id, version, f in claims
        ]
        for first in range(0, len(texts), EMBED_BATCH):
            self._store(session, texts[first : first + EMBED_BATCH])

    def relabel_topic(self, session: Session, *, topic_id: str, label: str) -> None:
        """The label is part of what each of the topic's claims is about: re-index and re-embed them."""
        self.text_search.relabel_topic(session, topic_id=topic_id, label=label)
        rows = session.execute(
            select(col(Claim.id), col(Claim.version), col(Claim.statement), col(Claim.snippet)).where(
                col(Claim.topic_id) == topic_id
            )
        ).all()
        texts = [claim_text(topic_label=label, statement=r.statement, snippet=r.snippet) for r in rows]
        self._store(session, [(r.id, r.version, text) for r, text in zip(rows, texts, strict=True)])

    def embed_missing(self, session: Session) -> int:
        """Embed claims whose current version has no vector from this model (new model, older data); the count."""
        current = and_(
            col(ClaimEmbedding.claim_id) == col(Claim.id),
            col(ClaimEmbedding.model) == self.embedder.name,
            col(ClaimEmbedding.claim_version) == col(Claim.version),
        )
        missing = session.execute(
            select(col(Claim.id), col(Claim.version), col(Claim.statement), col(Claim.snippet), col(Topic.label))
            .join(Topic, col(Topic.id) == col(Claim.topic_id))
            .where(~select(col(ClaimEmbedding.claim_id)).where(current).exists())
        ).all()
        for first in range(0, len(missing), EMBED_BATCH):
            batch = missing[first : first + EMBED_BATCH]
            texts = [claim_text(topic_label=r.label, statement=r.statement, snippet=r.snippet) for r in batch]
            self._store(session, [(r.id, r.version, text) for r, text in zip(batch, texts, strict=True)])
        return len(missing)

    def _store(self, session: Session, claims: list[tuple[str, int, str]]) -> None:
        """Replace this model's vectors of these claims; other models' stay until their own model replaces them."""
        if not claims:
            return
        vectors = self.embedder.embed_documents([text for _, _, text in claims])
        ids = [claim_id for claim_id, _, _ in claims]
        mine = and_(col(ClaimEmbedding.claim_id).in_(ids), col(ClaimEmbedding.model) == self.embedder.name)
        session.execute(delete(ClaimEmbedding).where(mine))
        rows = [
            {
                "claim_id": claim_id,
                "model": self.embedder.name,
                "claim_version": version,
                "dimensions": int(vector.shape[0]),
                "vector": vector_bytes(vector),
            }
            for (claim_id, version, _), vector in zip(claims, vectors, strict=True)
        ]
        insert_rows(session, ClaimEmbedding, rows)


def indexer_for(engine: Engine, embedding_model: str) -> ClaimIndexer:
    return ClaimIndexer(text_search_for(engine), load_embedder(embedding_model))

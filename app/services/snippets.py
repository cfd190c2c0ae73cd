"""Vetted, ranked, self-contained snippets with ready citations, for chatbot backends."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from app.domain.citations import source_link
from app.domain.query import Query
from app.domain.snippets import fit
from app.models.claim import CertaintyLevel, Citation, Claim, ClaimStatus, Relation
from app.models.source import Source
from app.services.ranking import QuestionRanker

NOTICE = (
    "Evidence summaries for information only, not medical advice. Ketamine and esketamine carry "
    "real risks; decisions about treatment belong with a qualified clinician. In a crisis, contact "
    "local emergency services."
)
CITED_SOURCES_IN_STRING = 3


@dataclass(frozen=True)
class _Ranked:
    id: str
    score: float | None


@dataclass(frozen=True)
class SnippetQuery:
    search: Query | None
    topic: str | None
    k: int
    max_chars: int
    min_certainty: CertaintyLevel


def find_snippets(*, conn: Connection, request: SnippetQuery, ranker: QuestionRanker) -> list[dict[str, Any]]:
    """Top-k vetted claims by relevance (any word may match), or by certainty without a query."""
    if request.search is not None and request.search.empty:
        return []
    passing = select(col(Claim.id)).where(
        col(Claim.status) == ClaimStatus.vetted.value, col(Claim.certainty_rank) >= request.min_certainty.rank
    )
    if request.topic is not None:
        passing = passing.where(col(Claim.topic_id) == request.topic)
    if request.search is None:
        best = passing.add_columns(literal(None).label("score")).order_by(
            col(Claim.certainty_rank).desc(), col(Claim.id)
        )
        top = [_Ranked(row.id, None) for row in conn.execute(best.limit(request.k))]
    else:
        # Rank first, then keep the claims that pass the filters: the ranking decides the order,
        # so the database never has to join every matching claim.
        ranked = ranker.rank(conn, request.search)
        allowed = set(conn.execute(passing.where(col(Claim.id).in_([claim_id for claim_id, _ in ranked]))).scalars())
        top = [_Ranked(claim_id, score) for claim_id, score in ranked if claim_id in allowed][: request.k]
    ids = [row.id for row in top]
    columns = (
        col(Claim.id),
        col(Claim.snippet),
        col(Claim.certainty_level),
        col(Claim.certainty_note),
        col(Claim.verdict),
    )
    claims = {row.id: row for row in conn.execute(select(*columns).where(col(Claim.id).in_(ids)))}
    cited = _cited_sources(conn, ids)
    texts = fit([claims[claim_id].snippet for claim_id in ids], request.max_chars)
    return [
        {
            "claim_id": row.id,
            "text": text,
            "certainty": claims[row.id].certainty_level,
            "confidence_note": claims[row.id].certainty_note,
            "verdict": claims[row.id].verdict,
            "citation": numbered(s["citation"] for s in cited[row.id][:CITED_SOURCES_IN_STRING]),
            "sources": [{"id": s["id"], "url": source_link(s)} for s in cited[row.id]],
            "score": None if row.score is None else round(row.score, 6),
        }
        for row, text in zip(top, texts, strict=False)
    ]


def numbered(references: Iterable[str]) -> str:
    """Vancouver references as one numbered list: "[1] Rhee TG, ... [2] Menon V, ..."."""
    return " ".join(f"[{number}] {reference}" for number, reference in enumerate(references, start=1))


_CITED_COLUMNS = (col(Source.id), col(Source.citation), col(Source.doi), col(Source.pmid), col(Source.url))


def _cited_sources(conn: Connection, claim_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The literature each claim cites, in citation order (the material is never a citation here)."""
    query = (
        select(col(Citation.claim_id), *(col(column) for column in _CITED_COLUMNS))
        .join(Source, col(Source.id) == col(Citation.source_id))
        .where(col(Citation.claim_id).in_(claim_ids), col(Citation.relation) != Relation.states.value)
        .order_by(col(Citation.claim_id), col(Citation.position))
    )
    cited: dict[str, list[dict[str, Any]]] = {claim_id: [] for claim_id in claim_ids}
    for row in conn.execute(query):
        entry = {key: value for key, value in row._mapping.items() if key != "claim_id"}
        if entry not in cited[row.claim_id]:
            cited[row.claim_id].append(entry)
    return cited

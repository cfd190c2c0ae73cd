"""Vetted, ranked, self-contained snippets with ready citations, for chatbot backends."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from app.domain.citations import short_citation, source_link
from app.domain.query import Query
from app.domain.snippets import fit
from app.models.claim import CertaintyLevel, Citation, Claim, ClaimStatus, Relation
from app.models.source import Source
from app.services import search

NOTICE = (
    "Evidence summaries for information only, not medical advice. Ketamine and esketamine carry "
    "real risks; decisions about treatment belong with a qualified clinician. In a crisis, contact "
    "local emergency services."
)
CITED_SOURCES_IN_STRING = 3


@dataclass(frozen=True)
class SnippetQuery:
    search: Query | None
    topic: str | None
    k: int
    max_chars: int
    min_certainty: CertaintyLevel


def find_snippets(*, conn: Connection, request: SnippetQuery) -> list[dict[str, Any]]:
    """Top-k vetted claims by relevance (any word may match), or by certainty without a query."""
    if request.search is not None and request.search.empty:
        return []
    columns = (Claim.id, Claim.snippet, Claim.certainty_level, Claim.certainty_note, Claim.verdict)
    if request.search is None:
        query = select(*columns).order_by(Claim.certainty_rank.desc(), Claim.id)  # type: ignore[attr-defined]
    else:
        found = search.hits(conn, request.search, any_term=True)
        query = select(*columns, found.c.score).join(found, found.c.claim_id == Claim.id)
        query = query.order_by(found.c.score.desc(), Claim.id)
    query = query.where(Claim.status == ClaimStatus.vetted.value, Claim.certainty_rank >= request.min_certainty.rank)
    if request.topic is not None:
        query = query.where(Claim.topic_id == request.topic)
    rows = conn.execute(query.limit(request.k)).all()
    cited = _cited_sources(conn, [row.id for row in rows])
    texts = fit([row.snippet for row in rows], request.max_chars)
    return [
        {
            "claim_id": row.id,
            "text": text,
            "certainty": row.certainty_level,
            "confidence_note": row.certainty_note,
            "verdict": row.verdict,
            "citation": "; ".join(short_citation(s) for s in cited[row.id][:CITED_SOURCES_IN_STRING]),
            "sources": [{"id": s["id"], "url": source_link(s)} for s in cited[row.id]],
            "score": round(row.score, 6) if request.search is not None else None,
        }
        for row, text in zip(rows, texts, strict=False)
    ]


def _cited_sources(conn: Connection, claim_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The literature each claim cites, in citation order (the material is never a citation here)."""
    columns = (Source.id, Source.title, Source.container_title, Source.publisher, Source.authors, Source.issued)
    query = (
        select(Citation.claim_id, *columns, Source.doi, Source.pmid, Source.url)
        .join(Source, Source.id == Citation.source_id)
        .where(Citation.claim_id.in_(claim_ids), Citation.relation != Relation.states.value)  # type: ignore[attr-defined]
        .order_by(Citation.claim_id, Citation.position)
    )
    cited: dict[str, list[dict[str, Any]]] = {claim_id: [] for claim_id in claim_ids}
    for row in conn.execute(query):
        entry = {key: value for key, value in row._mapping.items() if key != "claim_id"}
        if entry not in cited[row.claim_id]:
            cited[row.claim_id].append(entry)
    return cited

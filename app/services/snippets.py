"""Vetted, ranked, self-contained snippets with ready citations, for chatbot backends."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, bindparam, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from app.domain.citations import source_link
from app.domain.query import words_of
from app.domain.snippets import fit
from app.models.claim import CertaintyLevel, Citation, Claim, Relation
from app.models.source import Source
from app.services.ranking import QuestionRanker

NOTICE = (
    "Evidence summaries for information only, not medical advice. Ketamine and esketamine carry "
    "real risks; decisions about treatment belong with a qualified clinician. In a crisis, contact "
    "local emergency services."
)
NO_EVIDENCE = (
    "The dataset holds no vetted evidence on this question: do not answer it from these records, "
    "and do not present anything else as vetted evidence."
)
CITED_SOURCES_IN_STRING = 3


@dataclass(frozen=True)
class SnippetQuery:
    question: str
    topic: str | None
    k: int
    max_chars: int
    min_certainty: CertaintyLevel
    min_score: float  # the stricter of the service's relevance floor and the client's own


@dataclass(frozen=True)
class SnippetAnswer:
    items: list[dict[str, Any]]
    hidden_by_min_certainty: int
    notice: str


def find_snippets(*, conn: Connection, request: SnippetQuery, ranker: QuestionRanker) -> SnippetAnswer:
    """Top-k vetted claims relevant enough to the question, best first; none when nothing is."""
    if not words_of(request.question):  # "", "?!", emoji: nothing to look for
        return SnippetAnswer([], 0, _notice(False, 0, request))
    view = ranker.corpus.view(conn)  # one generation for the ranking and the filter
    ranked = ranker.rank(conn, request.question, view)
    vetted = view.vetted
    relevant = [
        (claim_id, score, vetted[claim_id].certainty_rank)
        for claim_id, score in ranked
        if score >= request.min_score
        and claim_id in vetted
        and (request.topic is None or vetted[claim_id].topic_id == request.topic)
    ]
    shown = [(claim_id, score) for claim_id, score, rank in relevant if rank >= request.min_certainty.rank]
    top = shown[: request.k]
    hidden = len(relevant) - len(shown)
    return SnippetAnswer(_snippets(conn, top, request.max_chars), hidden, _notice(bool(top), hidden, request))


def _notice(found: bool, hidden: int, request: SnippetQuery) -> str:
    parts = [] if found or hidden else [NO_EVIDENCE]
    if hidden:
        parts.append(
            f"{hidden} more relevant claim(s) have certainty below min_certainty={request.min_certainty.value}; "
            "ask again with a lower min_certainty to see them, and say how uncertain they are."
        )
    return " ".join([*parts, NOTICE])


def _snippets(conn: Connection, top: list[tuple[str, float]], max_chars: int) -> list[dict[str, Any]]:
    ids = [claim_id for claim_id, _ in top]
    claims = {row.id: row for row in conn.execute(_SNIPPET_FIELDS, {"ids": ids})}
    cited = _cited_sources(conn, ids)
    texts = fit([claims[claim_id].snippet for claim_id in ids], max_chars)
    return [
        {
            "claim_id": claim_id,
            "text": text,
            "certainty": claims[claim_id].certainty_level,
            "confidence_note": claims[claim_id].certainty_note,
            "material_claim_verdict": claims[claim_id].verdict,
            "citation": numbered(s["citation"] for s in cited[claim_id][:CITED_SOURCES_IN_STRING]),
            "sources": [{"id": s["id"], "url": source_link(s)} for s in cited[claim_id]],
            "score": round(score, 4),
        }
        for (claim_id, score), text in zip(top, texts, strict=False)
    ]


def numbered(references: Iterable[str]) -> str:
    """Vancouver references as one numbered list: "[1] Rhee TG, ... [2] Menon V, ..."."""
    return " ".join(f"[{number}] {reference}" for number, reference in enumerate(references, start=1))


# Built once, run with each answer's claim ids.
_CLAIMS: BindParameter[str] = bindparam("ids", expanding=True)
_SNIPPET_FIELDS = select(
    col(Claim.id), col(Claim.snippet), col(Claim.certainty_level), col(Claim.certainty_note), col(Claim.verdict)
).where(col(Claim.id).in_(_CLAIMS))
_CITED_COLUMNS = (col(Source.id), col(Source.citation), col(Source.doi), col(Source.pmid), col(Source.url))
_CITED = (
    select(col(Citation.claim_id), *_CITED_COLUMNS)
    .join(Source, col(Source.id) == col(Citation.source_id))
    .where(col(Citation.claim_id).in_(_CLAIMS), col(Citation.relation) != Relation.states.value)
    .order_by(col(Citation.claim_id), col(Citation.position))
)


def _cited_sources(conn: Connection, claim_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The literature each claim cites, in citation order (the material is never a citation here)."""
    cited: dict[str, list[dict[str, Any]]] = {claim_id: [] for claim_id in claim_ids}
    for row in conn.execute(_CITED, {"ids": claim_ids}):
        entry = {key: value for key, value in row._mapping.items() if key != "claim_id"}
        if entry not in cited[row.claim_id]:
            cited[row.claim_id].append(entry)
    return cited

"""Facet counts over a filtered set of claims, so a frontend can draw filter chips at once."""

from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from app.models.claim import Citation, Claim, ClaimTag
from app.models.source import Source
from app.models.topic import Topic
from app.services.claims import ClaimFilters, passing
from app.services.search import TextSearch


class Facet(StrEnum):
    topic = "topic"
    verdict = "verdict"
    certainty = "certainty"
    source = "source"
    tag = "tag"


FIXED_LABELS = {
    "supported": "Supported",
    "partly-supported": "Partly supported",
    "contradicted": "Contradicted",
    "unsupported": "Unsupported",
    "misleading": "Misleading",
    "high": "High",
    "moderate": "Moderate",
    "low": "Low",
    "very_low": "Very low",
}


def _grouping(facet: Facet) -> Select[Any]:
    """value, label and claim count for one facet, before the claims are restricted."""
    count = func.count(func.distinct(Claim.id)).label("count")
    if facet == Facet.topic:
        query = select(Topic.id.label("value"), Topic.label.label("label"), count).select_from(Claim)  # type: ignore[attr-defined]
        return query.join(Topic, Topic.id == Claim.topic_id).group_by(Topic.id, Topic.label)
    if facet == Facet.source:
        query = select(Source.id.label("value"), Source.title.label("label"), count).select_from(Claim)  # type: ignore[attr-defined]
        query = query.join(Citation, Citation.claim_id == Claim.id).join(Source, Source.id == Citation.source_id)
        return query.group_by(Source.id, Source.title)
    if facet == Facet.tag:
        tag = col(ClaimTag.tag)
        query = select(tag.label("value"), tag.label("label"), count).select_from(Claim)
        return query.join(ClaimTag, col(ClaimTag.claim_id) == col(Claim.id)).group_by(tag)
    column = Claim.verdict if facet == Facet.verdict else Claim.certainty_level
    return select(column.label("value"), column.label("label"), count).group_by(column)  # type: ignore[attr-defined]


def count_facets(
    *, conn: Connection, filters: ClaimFilters, facets: list[Facet], text_search: TextSearch
) -> dict[str, list[dict[str, Any]]]:
    """For each facet, [{value, label, count}] over the claims passing `filters`, most common first."""
    matching = passing(filters, text_search=text_search).subquery()
    results = {}
    for facet in facets:
        rows = conn.execute(_grouping(facet).where(Claim.id.in_(select(matching.c.id)))).all()  # type: ignore[attr-defined]
        items = [{"value": r.value, "label": FIXED_LABELS.get(r.label, r.label), "count": r.count} for r in rows]
        results[facet.value] = sorted(items, key=lambda item: (-item["count"], item["value"]))
    return results

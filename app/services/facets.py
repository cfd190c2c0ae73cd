"""Facet counts over a filtered set of claims, so a frontend can draw filter chips at once."""

from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from app.models.claim import Citation, Claim, ClaimTag
from app.models.source import Source
from app.models.topic import Topic
from app.services.claims import ClaimFilters, passing
from app.services.paging import AnySelect
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


def _grouping(facet: Facet) -> AnySelect:
    """value, label and claim count for one facet, before the claims are restricted."""
    count = func.count(func.distinct(col(Claim.id))).label("count")
    if facet == Facet.topic:
        query: AnySelect = select(col(Topic.id).label("value"), col(Topic.label).label("label"), count).select_from(
            Claim
        )
        return query.join(Topic, col(Topic.id) == col(Claim.topic_id)).group_by(col(Topic.id), col(Topic.label))
    if facet == Facet.source:
        query = select(col(Source.id).label("value"), col(Source.title).label("label"), count).select_from(Claim)
        query = query.join(Citation, col(Citation.claim_id) == col(Claim.id)).join(
            Source, col(Source.id) == col(Citation.source_id)
        )
        return query.group_by(col(Source.id), col(Source.title))
    if facet == Facet.tag:
        tag = col(ClaimTag.tag)
        query = select(tag.label("value"), tag.label("label"), count).select_from(Claim)
        return query.join(ClaimTag, col(ClaimTag.claim_id) == col(Claim.id)).group_by(tag)
    column = col(Claim.verdict) if facet == Facet.verdict else col(Claim.certainty_level)
    return select(column.label("value"), column.label("label"), count).group_by(column)


def count_facets(
    *, conn: Connection, filters: ClaimFilters, facets: list[Facet], text_search: TextSearch
) -> dict[str, list[dict[str, Any]]]:
    """For each facet, [{value, label, count}] over the claims passing `filters`, most common first."""
    matching = passing(filters, text_search=text_search).subquery()
    results = {}
    for facet in facets:
        rows = conn.execute(_grouping(facet).where(col(Claim.id).in_(select(matching.c.id)))).all()
        items = [{"value": r.value, "label": FIXED_LABELS.get(r.label, r.label), "count": r.count} for r in rows]
        results[facet.value] = sorted(items, key=lambda item: (-item["count"], item["value"]))
    return results

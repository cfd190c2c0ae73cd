"""The ClaimReview export: one JSON-LD graph of schema.org ClaimReview records, one per vetted claim."""

from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import Connection

from app.domain.claimreview import SCHEMA_ORG, claim_review
from app.services import claims as claim_reads
from app.services.export import ExportRequest, claims, json_array
from app.services.facets import FIXED_LABELS


def graph(conn: Connection, request: ExportRequest) -> Iterator[bytes]:
    opening = b'{"@context":"%s","@graph":[' % SCHEMA_ORG.encode()
    reviews = (
        review(conn, claim, base_url=request.base_url, publisher=request.publisher) for claim in claims(conn, request)
    )
    return json_array(reviews, opening=opening, closing=b"]}")


def review(conn: Connection, claim: dict[str, Any], *, base_url: str, publisher: str) -> dict[str, Any]:
    """One claim's ClaimReview, with the details of the material it quotes."""
    sources = claim_reads.cited_refs(conn=conn, claim=claim)
    verdict = FIXED_LABELS[claim["verdict"]]
    return claim_review(claim, sources, verdict_label=verdict, base_url=base_url, publisher=publisher)

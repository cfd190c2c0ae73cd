"""The ClaimReview export: one JSON-LD graph of schema.org ClaimReview records, one per vetted claim."""

from collections.abc import Iterator

from sqlalchemy.engine import Connection

from app.domain.claimreview import SCHEMA_ORG, claim_review
from app.services.export import ExportRequest, claims, json_array
from app.services.facets import FIXED_LABELS


def graph(conn: Connection, request: ExportRequest) -> Iterator[bytes]:
    opening = b'{"@context":"%s","@graph":[' % SCHEMA_ORG.encode()
    reviews = (
        claim_review(
            claim,
            sources,
            verdict_label=FIXED_LABELS[claim["verdict"]],
            base_url=request.base_url,
            publisher=request.publisher,
        )
        for claim, sources in claims(conn, request)
    )
    return json_array(reviews, opening=opening, closing=b"]}")

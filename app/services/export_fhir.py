"""The FHIR R5 export: one Bundle (collection) of Citation, Evidence and ArtifactAssessment resources."""

from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import Connection

from app.domain.fhir import assessment_resource, citation_resource, evidence_resource, full_url
from app.models.types import iso_utc, now_utc
from app.services.export import ExportRequest, cited_sources, claims, json_array
from app.services.facets import FIXED_LABELS


def bundle(conn: Connection, request: ExportRequest) -> Iterator[bytes]:
    opening = b'{"resourceType":"Bundle","type":"collection","timestamp":"%s","entry":[' % iso_utc(now_utc()).encode()
    return json_array(_entries(conn, request), opening=opening, closing=b"]}")


def _entries(conn: Connection, request: ExportRequest) -> Iterator[dict[str, Any]]:
    for row in cited_sources(conn, request):
        yield _entry(citation_resource(row._mapping, base_url=request.base_url))
    for claim, sources in claims(conn, request):
        yield _entry(evidence_resource(claim, sources, base_url=request.base_url))
        yield _entry(assessment_resource(claim, verdict_label=FIXED_LABELS[claim["verdict"]]))


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": full_url(resource["resourceType"], resource["id"]), "resource": resource}

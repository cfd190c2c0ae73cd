"""/v1/export: the vetted dataset, or the part of it one topic or claim selects, streamed in one format.

One registry maps each format to its media type, file name and streaming writer, so adding
a format is one entry here and one writer in app/services/export*.py.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import StreamingResponse

from app.api.deps import EngineDep, SettingsDep, absolute_base
from app.api.problems import problem_doc
from app.bundle import MEDIA_TYPE as BUNDLE_MEDIA_TYPE
from app.domain.claimreview import JSON_LD_MEDIA_TYPE
from app.domain.fhir import FHIR_MEDIA_TYPE
from app.domain.references import CSL_JSON_MEDIA_TYPE, MEDIA_TYPES, ReferenceFormat
from app.models.types import Slug
from app.services import export_bundle, export_claimreview, export_csv, export_fhir, export_references
from app.services.export import ExportRequest, Writer, check_selection

router = APIRouter(prefix="/v1/export", tags=["export"])


class ExportFormat(StrEnum):
    bibtex = "bibtex"
    ris = "ris"
    csl_json = "csl-json"
    fhir = "fhir"
    claimreview = "claimreview"
    jsonl = "jsonl"
    csv = "csv"


@dataclass(frozen=True)
class Exporter:
    media_type: str
    extension: str
    write: Writer


EXPORTERS: dict[ExportFormat, Exporter] = {
    ExportFormat.bibtex: Exporter(MEDIA_TYPES[ReferenceFormat.bibtex], "bib", export_references.bibtex),
    ExportFormat.ris: Exporter(MEDIA_TYPES[ReferenceFormat.ris], "ris", export_references.ris),
    ExportFormat.csl_json: Exporter(CSL_JSON_MEDIA_TYPE, "json", export_references.csl_json),
    ExportFormat.fhir: Exporter(FHIR_MEDIA_TYPE, "fhir.json", export_fhir.bundle),
    ExportFormat.claimreview: Exporter(JSON_LD_MEDIA_TYPE, "jsonld", export_claimreview.graph),
    ExportFormat.jsonl: Exporter(BUNDLE_MEDIA_TYPE, "jsonl", export_bundle.jsonl),
    ExportFormat.csv: Exporter("text/csv; charset=utf-8", "csv", export_csv.table),
}
_ANY: dict[str, Any] = {"schema": {}}


@router.get(
    "",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The selection in the chosen format, as a download",
            "content": {exporter.media_type.split(";")[0]: _ANY for exporter in EXPORTERS.values()},
        },
        **problem_doc(404, 422),
    },
)
def export(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    format: Annotated[
        ExportFormat,
        Query(
            description="bibtex, ris and csl-json: every source the selection cites; fhir: an R5 Bundle; "
            "claimreview: schema.org JSON-LD; jsonl: a bundle POST /v1/import takes back (topics, sources with "
            "their text, claims); csv: one row per claim, for spreadsheets"
        ),
    ],
    topic: Annotated[Slug | None, Query(description="Only vetted claims of this topic")] = None,
    claim: Annotated[Slug | None, Query(description="Only this vetted claim")] = None,
) -> StreamingResponse:
    """Vetted claims only; streamed, so the dataset is never held in memory."""
    exporter = EXPORTERS[format]
    wanted = ExportRequest(
        topic=topic, claim=claim, base_url=absolute_base(request, settings), publisher=settings.publisher
    )
    with engine.connect() as conn:
        check_selection(conn=conn, request=wanted)

    def stream() -> Iterator[bytes]:
        with engine.connect() as conn:
            yield from exporter.write(conn, wanted)

    filename = f"ketamine-evidence.{exporter.extension}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return StreamingResponse(stream(), media_type=exporter.media_type, headers=headers)

"""/v1/import: a JSONL bundle, validated whole, then applied in one transaction (scope `admin`)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from starlette.responses import Response

from app.api.auth import Admin
from app.api.deps import EngineDep, IndexerDep
from app.api.problems import problem_doc
from app.api.writes import MediaTypes
from app.bundle import MEDIA_TYPES
from app.services.imports import ImportResult, import_bundle

router = APIRouter(prefix="/v1/import", tags=["import"])

REPLAYED = "Idempotent-Replayed"


async def raw_body(request: Request) -> bytes:
    """The bundle as sent: its lines are parsed, and its digest told apart from another body's, here."""
    return await request.body()


@router.post(
    "",
    response_model=ImportResult,
    dependencies=[Depends(MediaTypes(*MEDIA_TYPES))],
    responses=problem_doc(401, 403, 413, 415, 422, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "One JSON object per line, `type` topic, source or claim: what GET /v1/export?format=jsonl "
            "writes",
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in MEDIA_TYPES},
        }
    },
)
def import_records(
    principal: Admin,
    engine: EngineDep,
    indexer: IndexerDep,
    body: Annotated[bytes, Depends(raw_body)],
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=255,
            description="Send the same key to retry safely: the first answer is replayed, the bundle applied once",
        ),
    ] = None,
) -> Response:
    """Add and update topics, sources and claims (never removes any); every problem is listed by line number,
    and nothing is written unless every line is valid. Revisions are made in the key's name."""
    answer = import_bundle(
        engine=engine, body=body, changed_by=principal.name, idempotency_key=idempotency_key, indexer=indexer
    )
    headers = {REPLAYED: "true"} if answer.replayed else {}
    return Response(answer.body, status_code=answer.status_code, media_type="application/json", headers=headers)

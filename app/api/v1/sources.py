"""/v1/sources: the material and the literature, with the exact text we hold."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import PlainTextResponse, Response

from app.api.deps import Cursor, EngineDep, Limit, SettingsDep
from app.api.paging import Envelope, envelope_response, page_request
from app.api.problems import problem_doc
from app.models.source import SourceKind, SourcePublic
from app.models.types import SLUG_PATTERN
from app.services import sources

router = APIRouter(prefix="/v1/sources", tags=["sources"])

SourceId = Annotated[str, Path(pattern=SLUG_PATTERN, description="Source slug, e.g. `seed-article`")]


@router.get("", response_model=Envelope[SourcePublic], responses=problem_doc(400, 422))
async def list_sources(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    kind: Annotated[SourceKind | None, Query(description="Only sources of this kind")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Sources by id; the text is served apart, at /v1/sources/{id}/text."""
    with engine.connect() as conn:
        page = sources.list_sources(
            conn=conn, kind=kind, page=page_request(request, settings, limit=limit, cursor=cursor)
        )
    return envelope_response(request, page, (sources.to_public(row).model_dump_json() for row in page.rows))


@router.get("/{source_id}", response_model=SourcePublic, responses=problem_doc(404, 422))
async def read_source(source_id: SourceId, engine: EngineDep) -> SourcePublic:
    with engine.connect() as conn:
        return sources.read_source(conn=conn, source_id=source_id)


@router.get(
    "/{source_id}/text",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}, **problem_doc(404, 422)},
)
async def read_source_text(source_id: SourceId, engine: EngineDep) -> PlainTextResponse:
    """Byte-exact text; citation locators are character offsets into it."""
    with engine.connect() as conn:
        text = sources.read_source_text(conn=conn, source_id=source_id)
    return PlainTextResponse(text, media_type="text/plain; charset=utf-8")

"""/v1/sources: the material and the literature, with the exact text we hold."""

from typing import Annotated

import orjson
from fastapi import APIRouter, Header, Path, Query, Request
from starlette.responses import PlainTextResponse, Response

from app.api.auth import Curator
from app.api.deps import Cursor, CursorSecretDep, EngineDep, Limit, SettingsDep, absolute_base
from app.api.negotiation import negotiate
from app.api.paging import Envelope, envelope_response, page_request
from app.api.problems import problem_doc
from app.api.writes import CREATE, PATCH, IfMatch, MergePatch, edit_change, written
from app.db import connected
from app.domain.fhir import FHIR_MEDIA_TYPE
from app.domain.references import (
    BIBTEX_MEDIA_TYPE,
    CSL_JSON_MEDIA_TYPE,
    MEDIA_TYPES,
    RIS_MEDIA_TYPE,
    ReferenceFormat,
)
from app.domain.styles import Style
from app.errors import NotAcceptable
from app.models.source import SourceDraft, SourceIn, SourceKind, SourcePublic
from app.models.types import SLUG_PATTERN
from app.services import edits, sources
from app.services.curation import Change, write_transaction

router = APIRouter(prefix="/v1/sources", tags=["sources"])

SourceId = Annotated[str, Path(pattern=SLUG_PATTERN, description="Source slug, e.g. `seed-article`")]


@router.get("", response_model=Envelope[SourcePublic], responses=problem_doc(400, 422))
def list_sources(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    secret: CursorSecretDep,
    kind: Annotated[SourceKind | None, Query(description="Only sources of this kind")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Sources by id; the text is served apart, at /v1/sources/{id}/text."""
    with connected(engine) as conn:
        page = sources.list_sources(
            conn=conn, kind=kind, page=page_request(request, secret, limit=limit, cursor=cursor)
        )
    return envelope_response(request, settings, page, (sources.to_public(row).model_dump_json() for row in page.rows))


_JSON = "application/json"
_BIBLIOGRAPHY = "text/x-bibliography"
_REFERENCE_MEDIA_TYPES = {
    CSL_JSON_MEDIA_TYPE: ReferenceFormat.csl_json,
    BIBTEX_MEDIA_TYPE: ReferenceFormat.bibtex,
    RIS_MEDIA_TYPE: ReferenceFormat.ris,
}
_OFFERED = [_JSON, *_REFERENCE_MEDIA_TYPES, _BIBLIOGRAPHY, FHIR_MEDIA_TYPE]
_TEXT = {"schema": {"type": "string"}}
VARY = {"Vary": "Accept"}


@router.get(
    "/{source_id}",
    response_model=SourcePublic,
    responses={
        200: {
            "description": "The source; Accept may ask for its reference instead",
            "content": {
                CSL_JSON_MEDIA_TYPE: {"schema": {"type": "object"}},
                BIBTEX_MEDIA_TYPE: _TEXT,
                RIS_MEDIA_TYPE: _TEXT,
                _BIBLIOGRAPHY: _TEXT,
                FHIR_MEDIA_TYPE: {"schema": {"type": "object"}},
            },
        },
        **problem_doc(404, 406, 422),
    },
)
def read_source(
    request: Request,
    source_id: SourceId,
    engine: EngineDep,
    settings: SettingsDep,
    accept: Annotated[
        str | None,
        Header(
            description="application/json (default), application/vnd.citationstyles.csl+json, application/x-bibtex, "
            "application/x-research-info-systems, text/x-bibliography; style=apa|vancouver, "
            "or application/fhir+json (a Citation)"
        ),
    ] = None,
) -> Response:
    """The source record, or its reference when Accept asks for one (as DOI content negotiation does)."""
    media_type, params = negotiate(accept, _OFFERED)
    if media_type == _JSON:
        with connected(engine) as conn:
            source = sources.read_source(conn=conn, source_id=source_id)
        return Response(source.model_dump_json(), media_type=_JSON, headers=VARY)
    if media_type == FHIR_MEDIA_TYPE:
        with connected(engine) as conn:
            citation = sources.read_fhir_citation(
                conn=conn, source_id=source_id, base_url=absolute_base(request, settings)
            )
        return Response(orjson.dumps(citation), media_type=FHIR_MEDIA_TYPE, headers=VARY)
    if media_type == _BIBLIOGRAPHY:
        reference_format = _bibliography_style(params.get("style", Style.apa.value))
        content_type = f"{_BIBLIOGRAPHY}; charset=utf-8"
    else:
        reference_format = _REFERENCE_MEDIA_TYPES[media_type]
        content_type = MEDIA_TYPES[reference_format]
    with connected(engine) as conn:
        reference = sources.read_reference(conn=conn, source_id=source_id, reference_format=reference_format)
    return Response(reference, media_type=content_type, headers=VARY)


def _bibliography_style(style: str) -> ReferenceFormat:
    if style not in Style.__members__:
        styles = ", ".join(Style)
        raise NotAcceptable(
            f"no bibliography style '{style}'; ask for text/x-bibliography; style= one of {styles}",
            [{"loc": ["header", "accept"], "msg": f"style must be one of {styles}"}],
        )
    return ReferenceFormat(style)


@router.get(
    "/{source_id}/citation",
    responses={
        200: {
            "description": "The reference in the chosen style or format",
            "content": {
                "text/plain": _TEXT,
                CSL_JSON_MEDIA_TYPE: {"schema": {"type": "object"}},
                BIBTEX_MEDIA_TYPE: _TEXT,
                RIS_MEDIA_TYPE: _TEXT,
            },
        },
        **problem_doc(404, 422),
    },
)
def read_citation(
    source_id: SourceId,
    engine: EngineDep,
    style: Annotated[
        ReferenceFormat,
        Query(description="apa and vancouver are formatted text; bibtex, ris and csl-json are for reference managers"),
    ] = ReferenceFormat.apa,
) -> Response:
    """The source's reference, formatted by a CSL processor or written for a reference manager."""
    with connected(engine) as conn:
        reference = sources.read_reference(conn=conn, source_id=source_id, reference_format=style)
    return Response(reference, media_type=MEDIA_TYPES[style])


@router.get(
    "/{source_id}/text",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}, **problem_doc(404, 422)},
)
def read_source_text(source_id: SourceId, engine: EngineDep) -> PlainTextResponse:
    """Byte-exact text; citation locators are character offsets into it."""
    with connected(engine) as conn:
        text = sources.read_source_text(conn=conn, source_id=source_id)
    return PlainTextResponse(text, media_type="text/plain; charset=utf-8")


@router.post("", response_model=SourcePublic, **CREATE)
def create_source(source_in: SourceDraft, principal: Curator, engine: EngineDep) -> Response:
    """Add a source (scope `curate`); `note` says why, in the first revision."""
    change = Change(by=principal.name, note=source_in.note)
    record = SourceIn.model_validate(source_in.model_dump(exclude={"note"}))
    with write_transaction(engine) as session:
        source = edits.create_source(session=session, source_in=record, change=change)
    return written(source.model_dump_json().encode(), f"/v1/sources/{source.id}", status_code=201)


@router.patch("/{source_id}", response_model=SourcePublic, **PATCH)
def edit_source(
    source_id: SourceId, patch: MergePatch, principal: Curator, engine: EngineDep, if_match: IfMatch
) -> Response:
    """Edit a source (scope `curate`); refused if a claim's quote of it would no longer be found."""
    with engine.connect() as conn:
        current = sources.read_source(conn=conn, source_id=source_id).model_dump_json().encode()
    change = edit_change(principal, patch, if_match, current)
    with write_transaction(engine) as session:
        source = edits.edit_source(session=session, source_id=source_id, patch=patch, change=change)
    return written(source.model_dump_json().encode(), f"/v1/sources/{source_id}")

"""The explorer's routes: thin handlers that gather a view and render it."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BeforeValidator
from starlette.responses import JSONResponse, RedirectResponse, Response

from app.api.deps import (
    CorpusDep,
    Cursor,
    CursorSecretDep,
    EngineDep,
    SettingsDep,
    TextSearchDep,
    TotalsDep,
    absolute_base,
)
from app.errors import NotFound
from app.explore import views
from app.explore.pages import render
from app.explore.search import DEFAULT_LIMIT, SearchState
from app.models.claim import CertaintyLevel, Verdict
from app.models.types import Slug, Tag
from app.services.claims import ClaimSort
from app.services.overview import dataset_overview

router = APIRouter(include_in_schema=False)


def _blank_is_none(value: Any) -> Any:
    """An empty form field means "not set", as a browser sends it."""
    return None if value == "" else value


Blank = BeforeValidator(_blank_is_none)


@router.get("/")
def root(request: Request) -> Response:
    """Browsers go to the explorer; API clients get a map of where to go."""
    if "text/html" in request.headers.get("accept", ""):
        return RedirectResponse("/explore", status_code=303, headers={"Vary": "Accept"})
    links = {"explore": "/explore", "docs": "/docs", "openapi": "/openapi.json", "claims": "/v1/claims"}
    return JSONResponse(
        {"name": request.app.title, "version": request.app.version, "links": links}, headers={"Vary": "Accept"}
    )


@router.get("/explore")
def home_page(request: Request, engine: EngineDep, secret: CursorSecretDep, text_search: TextSearchDep) -> Response:
    with engine.connect() as conn:
        view = views.home(conn=conn, secret=secret, text_search=text_search)
    return render(request, "home.html", **view)


@router.get("/explore/claims")
def search_page(
    request: Request,
    engine: EngineDep,
    secret: CursorSecretDep,
    text_search: TextSearchDep,
    totals: TotalsDep,
    corpus: CorpusDep,
    q: Annotated[str | None, Query(description="Full-text search, as in /v1/claims")] = None,
    topic: Annotated[Slug | None, Blank] = None,
    verdict: Annotated[Verdict | None, Blank] = None,
    min_certainty: Annotated[CertaintyLevel | None, Blank] = None,
    source: Annotated[Slug | None, Blank] = None,
    tag: Annotated[Tag | None, Blank] = None,
    sort: Annotated[ClaimSort | None, Blank] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = DEFAULT_LIMIT,
    cursor: Annotated[Cursor, Blank] = None,
) -> Response:
    state = SearchState(q, topic, verdict, min_certainty, source, tag, sort, limit, cursor)
    with engine.connect() as conn:
        view = views.search(
            conn=conn,
            state=state,
            synonyms=corpus.view(conn).synonyms,
            secret=secret,
            text_search=text_search,
            totals=totals,
        )
    return render(request, "search.html", **view)


@router.get("/explore/claims/{claim_id}")
def claim_page(
    request: Request, claim_id: str, engine: EngineDep, secret: CursorSecretDep, settings: SettingsDep
) -> Response:
    with engine.connect() as conn:
        view = views.claim(conn=conn, claim_id=claim_id, secret=secret)
    page_url = absolute_base(request, settings) + request.url.path
    return render(request, "claim.html", **view, page_url=page_url)


@router.get("/explore/sources/{source_id}")
def source_page(request: Request, source_id: str, engine: EngineDep) -> Response:
    with engine.connect() as conn:
        view = views.source(conn=conn, source_id=source_id)
    return render(request, "source.html", **view)


@router.get("/explore/material")
def material_page(engine: EngineDep) -> Response:
    """The article under review is a source like any other; this is the short way to it."""
    with engine.connect() as conn:
        materials = dataset_overview(conn=conn).material_ids
    if not materials:
        raise NotFound("the dataset holds no article under review yet")
    return RedirectResponse(f"/explore/sources/{materials[0]}", status_code=302)

"""/v1/claims: the evidence records, filtered, paged and cached by version."""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.responses import Response

from app.api.auth import Curator, Reviewer, may_read_drafts
from app.api.deps import (
    CorpusDep,
    Cursor,
    CursorSecretDep,
    EngineDep,
    IndexerDep,
    Limit,
    SettingsDep,
    TextSearchDep,
    TotalsDep,
    absolute_base,
)
from app.api.negotiation import negotiate
from app.api.paging import Envelope, envelope_response, page_request
from app.api.problems import problem_doc
from app.api.writes import CREATE, JSON, PATCH, IfMatch, MediaTypes, MergePatch, based_on, edit_change, written
from app.config import Settings
from app.db import connected
from app.domain.claimreview import JSON_LD_MEDIA_TYPE, SCHEMA_ORG, claim_review
from app.domain.fhir import FHIR_MEDIA_TYPE, evidence_resource
from app.domain.query import parse_query
from app.domain.synonyms import expand
from app.errors import BadParameter
from app.models.claim import (
    CertaintyLevel,
    ClaimDetail,
    ClaimDraft,
    ClaimIn,
    ClaimList,
    ClaimStatus,
    Review,
    RevisionPublic,
    Verdict,
)
from app.models.types import SLUG_PATTERN, Slug, Tag, iso_utc
from app.services import claims, edits
from app.services.claims import ClaimFilters, ClaimSort
from app.services.curation import Change, write_transaction
from app.services.facets import FIXED_LABELS, Facet, count_facets

router = APIRouter(prefix="/v1/claims", tags=["claims"])

ClaimId = Annotated[str, Path(pattern=SLUG_PATTERN, description="Claim slug, stable forever")]


@router.get("", response_model=ClaimList, responses=problem_doc(400, 401, 422))
def list_claims(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    secret: CursorSecretDep,
    text_search: TextSearchDep,
    totals: TotalsDep,
    corpus: CorpusDep,
    q: Annotated[
        str | None,
        Query(description='Full text: words (all must match), "phrases", -exclusion, OR; ranked by relevance'),
    ] = None,
    topic: Annotated[Slug | None, Query(description="Topic id")] = None,
    verdict: Verdict | None = None,
    min_certainty: Annotated[CertaintyLevel | None, Query(description="high > moderate > low > very_low")] = None,
    status: Annotated[ClaimStatus, Query(description="draft and retracted need an API key")] = ClaimStatus.vetted,
    source: Annotated[Slug | None, Query(description="Only claims citing this source id")] = None,
    tag: Annotated[Tag | None, Query(description="Only claims with this tag")] = None,
    sort: Annotated[ClaimSort | None, Query(description="Default: relevance with q, else id")] = None,
    facets: Annotated[str | None, Query(description="Comma list of topic,verdict,certainty,source,tag")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Whole claims (citations included, sources by id), in a stable order; with q, each hit says where it matched."""
    parsed = None if q is None else parse_query(q)
    wanted = _facet_names(facets)
    order = sort or (ClaimSort.relevance if parsed is not None else ClaimSort.id)
    with connected(engine) as conn:
        search = None if parsed is None else expand(parsed, corpus.view(conn).synonyms)
        filters = ClaimFilters(
            status=status,
            topic=topic,
            verdict=verdict,
            min_certainty=min_certainty,
            source=source,
            tag=tag,
            search=search,
        )
        found = claims.list_claims(
            conn=conn,
            filters=filters,
            sort=order,
            page=page_request(request, secret, limit=limit, cursor=cursor),
            drafts_visible=filters.status != ClaimStatus.vetted and may_read_drafts(request, engine),
            text_search=text_search,
            totals=totals,
        )
        counts = count_facets(conn=conn, filters=filters, facets=wanted, text_search=text_search) if wanted else None
    items = map(_with_match, found.documents, found.fragments)
    extra = {"facets": counts} if counts is not None else {}
    return envelope_response(request, settings, found.page, items, **extra)


def _facet_names(facets: str | None) -> list[Facet]:
    if facets is None:
        return []
    names = [name.strip() for name in facets.split(",") if name.strip()]
    unknown = [name for name in names if name not in Facet.__members__]
    if unknown:
        raise BadParameter(
            f"unknown facet {', '.join(map(repr, unknown))}; choose from {', '.join(Facet.__members__)}",
            [{"loc": ["query", "facets"], "msg": f"unknown facet: {', '.join(unknown)}"}],
        )
    return [Facet(name) for name in dict.fromkeys(names)]


def _with_match(document: str, fragment: str | None) -> str:
    """The pre-rendered claim object, with where it matched added when searching."""
    if fragment is None:
        return document
    return document[:-1] + ',"match":' + orjson.dumps({"fragment": fragment}).decode() + "}"


@router.get(
    "/{claim_id}",
    response_model=ClaimDetail,
    responses={
        200: {
            "description": "The claim; Accept may ask for its FHIR Evidence or schema.org ClaimReview instead",
            "content": {
                FHIR_MEDIA_TYPE: {"schema": {"type": "object"}},
                JSON_LD_MEDIA_TYPE: {"schema": {"type": "object"}},
            },
        },
        **problem_doc(401, 404, 406),
    },
)
def read_claim(
    request: Request,
    claim_id: ClaimId,
    engine: EngineDep,
    settings: SettingsDep,
    accept: Annotated[
        str | None,
        Header(description="application/json (default), application/fhir+json (Evidence) or application/ld+json"),
    ] = None,
) -> Response:
    """One claim with each cited source expanded, or its FHIR Evidence or ClaimReview; the ETag follows the bytes."""
    media_type, _ = negotiate(accept, CLAIM_MEDIA_TYPES)
    with connected(engine) as conn:
        claim = claims.read_claim(
            conn=conn,
            claim_id=claim_id,
            drafts_visible=may_read_drafts(request, engine),
            known_sources=request.app.state.source_refs,
        )
    representation = claim if media_type == JSON else _linked_data(request, settings, claim, media_type)
    return Response(orjson.dumps(representation), media_type=media_type, headers={"Vary": "Accept"})


def _linked_data(request: Request, settings: Settings, claim: dict[str, Any], media_type: str) -> dict[str, Any]:
    """FHIR Evidence or ClaimReview: documents carrying absolute URLs, which plain JSON never pays to work out."""
    sources = {citation["source_id"]: citation["source"] for citation in claim["citations"] if citation["source"]}
    base_url = absolute_base(request, settings)
    if media_type == FHIR_MEDIA_TYPE:
        return evidence_resource(claim, sources, base_url=base_url)
    review = claim_review(
        claim, sources, verdict_label=FIXED_LABELS[claim["verdict"]], base_url=base_url, publisher=settings.publisher
    )
    return {"@context": SCHEMA_ORG, **review}


CLAIM_MEDIA_TYPES = [JSON, FHIR_MEDIA_TYPE, JSON_LD_MEDIA_TYPE]


@router.get("/{claim_id}/revisions", response_model=Envelope[RevisionPublic], responses=problem_doc(400, 401, 404, 422))
def list_revisions(
    request: Request,
    claim_id: ClaimId,
    engine: EngineDep,
    settings: SettingsDep,
    secret: CursorSecretDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Every version of the claim, newest first, with who changed it and when."""
    with connected(engine) as conn:
        page = claims.list_revisions(
            conn=conn,
            claim_id=claim_id,
            page=page_request(request, secret, limit=limit, cursor=cursor),
            drafts_visible=may_read_drafts(request, engine),
        )
    items = (
        orjson.dumps(
            {
                "version": row.version,
                "changed_at": iso_utc(row.changed_at),
                "changed_by": row.changed_by,
                "note": row.note,
                "claim": orjson.Fragment(row.snapshot),
            }
        )
        for row in page.rows
    )
    return envelope_response(request, settings, page, items)


@router.post("", response_model=ClaimDetail, **CREATE)
def create_claim(claim_in: ClaimDraft, principal: Curator, engine: EngineDep, indexer: IndexerDep) -> Response:
    """Draft a claim (scope `curate`): checked like a data file, public only once a reviewer vets it."""
    change = Change(by=principal.name, note=claim_in.note)
    record = ClaimIn.model_validate(claim_in.model_dump(exclude={"note"}))
    with write_transaction(engine) as session:
        body = edits.create_claim(session=session, claim_in=record, change=change, indexer=indexer)
    return written(body, f"/v1/claims/{record.id}", status_code=201)


@router.patch("/{claim_id}", response_model=ClaimDetail, **PATCH)
def edit_claim(
    claim_id: ClaimId,
    patch: MergePatch,
    principal: Curator,
    engine: EngineDep,
    if_match: IfMatch,
    indexer: IndexerDep,
) -> Response:
    """Edit a claim (scope `curate`, If-Match its ETag); it becomes a draft again until reviewed."""
    change = edit_change(principal, patch, if_match, _current(engine, claim_id))
    with write_transaction(engine) as session:
        body = edits.edit_claim(session=session, claim_id=claim_id, patch=patch, change=change, indexer=indexer)
    return written(body, f"/v1/claims/{claim_id}")


@router.post(
    "/{claim_id}/review",
    response_model=ClaimDetail,
    responses=problem_doc(401, 403, 404, 409, 412, 413, 415, 422),
    dependencies=[Depends(MediaTypes(JSON))],
)
def review_claim(
    claim_id: ClaimId,
    review: Review,
    principal: Reviewer,
    engine: EngineDep,
    indexer: IndexerDep,
    if_match: Annotated[str | None, Header(description="Optional: the ETag of the version reviewed")] = None,
) -> Response:
    """Vet, retract or reopen (scope `review`). Vetting re-runs every check, and a key may not vet its own edit
    unless it is `admin`."""
    version = based_on(if_match, _current(engine, claim_id)) if if_match is not None else None
    change = Change(by=principal.name, note=review.note, based_on=version)
    with write_transaction(engine) as session:
        body = edits.review_claim(
            session=session,
            claim_id=claim_id,
            action=review.action,
            reviewer=principal,
            change=change,
            indexer=indexer,
        )
    return written(body, f"/v1/claims/{claim_id}")


def _current(engine: Engine, claim_id: str) -> bytes:
    """The claim as a key holder GETs it, whose ETag an If-Match names."""
    with Session(engine) as session:
        return edits.served_claim(session=session, claim_id=claim_id)

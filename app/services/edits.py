"""Curators' edits through the API: new records, merge patches and reviews, each validated like a data file."""

from typing import Any

import orjson
from sqlmodel import Session

from app.domain.merge_patch import merge_patch
from app.errors import AlreadyExists, InvalidData, InvalidTransition, SameEditor
from app.models.api_key import KeyScope
from app.models.claim import Claim, ClaimIn, ClaimStatus, ReviewAction
from app.models.source import Source, SourceIn, SourcePublic
from app.services import claims, sources
from app.services.checks import check_claim, check_source_edit, validated
from app.services.curation import Change, save_claim, save_source
from app.services.indexing import ClaimIndexer
from app.services.keys import Principal

# action -> (statuses it applies to, status it leads to)
TRANSITIONS: dict[ReviewAction, tuple[set[ClaimStatus], ClaimStatus]] = {
    ReviewAction.vet: ({ClaimStatus.draft}, ClaimStatus.vetted),
    ReviewAction.retract: ({ClaimStatus.draft, ClaimStatus.vetted}, ClaimStatus.retracted),
    ReviewAction.reopen: ({ClaimStatus.vetted, ClaimStatus.retracted}, ClaimStatus.draft),
}


def create_source(*, session: Session, source_in: SourceIn, change: Change) -> SourcePublic:
    if session.get(Source, source_in.id) is not None:
        raise AlreadyExists(f"a source with id '{source_in.id}' exists; edit it with PATCH /v1/sources/{source_in.id}")
    save_source(session=session, source_in=source_in, change=change)
    return sources.read_source(conn=session.connection(), source_id=source_in.id)


def edit_source(*, session: Session, source_id: str, patch: dict[str, Any], change: Change) -> SourcePublic:
    """Apply a merge patch; refused if any claim's quote of the source would no longer be found."""
    current, _ = sources.read_source_as_written(conn=session.connection(), source_id=source_id)
    _keep_id(patch, source_id)
    source_in = validated(SourceIn, merge_patch(current.model_dump(mode="json"), patch), where="body")
    check_source_edit(session=session, source_in=source_in)
    save_source(session=session, source_in=source_in, change=change)
    return sources.read_source(conn=session.connection(), source_id=source_id)


def create_claim(*, session: Session, claim_in: ClaimIn, change: Change, indexer: ClaimIndexer) -> bytes:
    """A new claim, always a draft until reviewed."""
    if session.get(Claim, claim_in.id) is not None:
        raise AlreadyExists(f"a claim with id '{claim_in.id}' exists; edit it with PATCH /v1/claims/{claim_in.id}")
    claim_in = claim_in.model_copy(update={"status": ClaimStatus.draft})
    check_claim(session=session, claim_in=claim_in)
    save_claim(session=session, claim_in=claim_in, change=change, indexer=indexer)
    return served_claim(session=session, claim_id=claim_in.id)


def edit_claim(
    *, session: Session, claim_id: str, patch: dict[str, Any], change: Change, indexer: ClaimIndexer
) -> bytes:
    """Apply a merge patch; what it says changes, so the claim is a draft again until reviewed."""
    stored = claims.read_claim_as_written(conn=session.connection(), claim_id=claim_id)
    _keep_id(patch, claim_id)
    if "status" in patch:
        msg = f"status changes only through POST /v1/claims/{claim_id}/review"
        raise InvalidData(msg, [{"loc": ["body", "status"], "msg": msg}])
    merged = merge_patch(stored.claim_in.model_dump(mode="json"), patch)
    claim_in = validated(ClaimIn, merged | {"status": ClaimStatus.draft.value}, where="body")
    check_claim(session=session, claim_in=claim_in)
    save_claim(session=session, claim_in=claim_in, change=change, indexer=indexer)
    return served_claim(session=session, claim_id=claim_id)


def review_claim(
    *,
    session: Session,
    claim_id: str,
    action: ReviewAction,
    reviewer: Principal,
    change: Change,
    indexer: ClaimIndexer,
) -> bytes:
    """Vet, retract or reopen. Vetting re-runs every check and needs a second pair of eyes."""
    stored = claims.read_claim_as_written(conn=session.connection(), claim_id=claim_id)
    applies_to, leads_to = TRANSITIONS[action]
    status = stored.claim_in.status
    if status not in applies_to:
        allowed = " or ".join(sorted(applies_to))
        raise InvalidTransition(f"cannot {action} a claim that is {status}; {action} applies to {allowed} claims")
    claim_in = stored.claim_in.model_copy(update={"status": leads_to})
    if action == ReviewAction.vet:
        if stored.edited_by == reviewer.name and reviewer.scope != KeyScope.admin:
            raise SameEditor(f"'{reviewer.name}' made the last edit; another reviewer must vet it")
        check_claim(session=session, claim_in=claim_in, where="claim")
    save_claim(session=session, claim_in=claim_in, change=change, indexer=indexer)
    return served_claim(session=session, claim_id=claim_id)


def served_claim(*, session: Session, claim_id: str) -> bytes:
    """The claim's bytes as a key holder's GET serves them, so a write answers with the ETag the next GET has."""
    return orjson.dumps(claims.read_claim(conn=session.connection(), claim_id=claim_id, drafts_visible=True))


def _keep_id(patch: dict[str, Any], record_id: str) -> None:
    if "id" in patch and patch["id"] != record_id:
        msg = f"ids are stable forever; this record stays '{record_id}'"
        raise InvalidData(msg, [{"loc": ["body", "id"], "msg": msg}])

"""Writing topics, sources and claims: version bumps, revisions, pre-rendered documents.

Every real change also bumps the dataset generation in the same transaction, which is what
lets read replicas serve cached responses without ever serving stale ones.
"""

import datetime as dt
import hashlib
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col

from app.db import insert_rows
from app.domain.csl import csl_item
from app.domain.styles import Style, render
from app.errors import AlreadyExists, InvalidData, VersionMismatch
from app.models.claim import (
    Citation,
    Claim,
    ClaimFields,
    ClaimIn,
    ClaimPublic,
    ClaimRevision,
    ClaimStatus,
    ClaimTag,
)
from app.models.source import Source, SourceIn, SourceRevision
from app.models.state import DatasetState
from app.models.synonym import SynonymGroup
from app.models.topic import Topic, TopicIn
from app.models.types import now_utc
from app.services.indexing import ClaimIndexer, IndexEntry, PendingIndex

FIRST_VERSION = 1


class Outcome(StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"


def content_hash(record: BaseModel) -> str:
    """Canonical hash of what a curator wrote, so reloading unchanged data changes nothing."""
    return hashlib.sha256(orjson.dumps(record.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)).hexdigest()


def mark_changed(session: Session) -> None:
    """Note that the transaction changes the dataset; `write_transaction` bumps the generation once at its end."""
    session.info["changed"] = True


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Session]:
    """One atomic write. The generation moves last, in the same transaction, so cached reads never go stale and
    writers never wait on each other for it while still holding row locks."""
    with Session(engine) as session, session.begin():
        yield session
        if session.info.pop("changed", False):
            session.execute(
                update(DatasetState)
                .where(col(DatasetState.id) == 1)
                .values(generation=col(DatasetState.generation) + 1)
            )


@dataclass(frozen=True)
class Change:
    """Who makes a change, why, and the version it was based on (None: whatever is current)."""

    by: str
    note: str | None = None
    based_on: int | None = None


def save_topic(*, session: Session, topic_in: TopicIn, position: int, indexer: ClaimIndexer) -> Outcome:
    topic = session.get(Topic, topic_in.id)
    if topic is None:
        session.add(Topic(**topic_in.model_dump(), position=position))
        mark_changed(session)
        return Outcome.created
    if (topic.label, topic.description, topic.position) == (topic_in.label, topic_in.description, position):
        return Outcome.unchanged
    if topic.label != topic_in.label:  # before the row changes: the index reads the label it takes out from it
        indexer.relabel_topic(session, topic_id=topic.id, label=topic_in.label)
    topic.sqlmodel_update({**topic_in.model_dump(), "position": position})
    mark_changed(session)
    return Outcome.updated


def save_synonyms(*, session: Session, groups: list[list[str]]) -> Outcome:
    """Replace the search's synonym groups when the dataset's differ; every replica reads them from here."""
    stored: list[SynonymGroup] = list(
        session.execute(select(SynonymGroup).order_by(col(SynonymGroup.position))).scalars()
    )
    if [group.entries for group in stored] == groups:
        return Outcome.unchanged
    session.execute(delete(SynonymGroup))
    session.add_all(SynonymGroup(position=position, entries=entries) for position, entries in enumerate(groups))
    mark_changed(session)
    return Outcome.updated if stored else Outcome.created


def save_source(*, session: Session, source_in: SourceIn, change: Change) -> Outcome:
    """Create or update a source; every real change is a new version with a revision."""
    digest = content_hash(source_in)
    current = session.execute(
        select(col(Source.version), col(Source.content_sha256)).where(col(Source.id) == source_in.id)
    ).first()
    _check_based_on(change, current.version if current else None, f"source '{source_in.id}'")
    if current is not None and current.content_sha256 == digest:
        return Outcome.unchanged
    text = source_in.text
    now = now_utc()
    fields: dict[str, Any] = {
        **source_in.model_dump(mode="json", exclude={"reliability", "accessed"}),
        "accessed": source_in.accessed,
        "reliability_rating": source_in.reliability.rating.value,
        "reliability_note": source_in.reliability.note,
        "text_sha256": hashlib.sha256(text.encode()).hexdigest() if text is not None else None,
        "text_length": len(text) if text is not None else None,
        "content_sha256": digest,
        "citation": render(csl_item(source_in.model_dump()), Style.vancouver),
        "updated_at": now,
    }
    mark_changed(session)
    if current is None:
        version = 1
        _insert(session, Source(**fields, version=version, created_at=now), f"a source with id '{source_in.id}'")
    else:
        version = current.version + 1
        _update_version(session, Source, source_in.id, current.version, {**fields, "version": version})
    session.add(
        SourceRevision(
            source_id=source_in.id,
            version=version,
            changed_at=now,
            changed_by=change.by,
            note=change.note,
            snapshot=source_in.model_dump_json(),
        )
    )
    return Outcome.created if current is None else Outcome.updated


def save_claim(*, session: Session, claim_in: ClaimIn, change: Change, indexer: ClaimIndexer) -> Outcome:
    """Create or update a claim with its citations and tags; every real change is a new version with a revision."""
    digest = content_hash(claim_in)
    current = session.execute(
        select(
            col(Claim.version),
            col(Claim.created_at),
            col(Claim.content_sha256),
            col(Claim.document),
            col(Claim.edited_by),
        ).where(col(Claim.id) == claim_in.id)
    ).first()
    _check_based_on(change, current.version if current else None, f"claim '{claim_in.id}'")
    if current is not None and current.content_sha256 == digest:
        return Outcome.unchanged
    now = now_utc()
    mark_changed(session)
    record = _ClaimRecord.of(claim_in, digest=digest, current=current, change=change, now=now)
    if current is None:
        _insert(session, Claim(**record.row), f"a claim with id '{claim_in.id}'")
        outcome = Outcome.created
    else:
        indexer.text_search.unindex_claims(session, [claim_in.id])  # while the rows hold the indexed version
        _archive_current(session, claim_in.id, current)
        _update_version(session, Claim, claim_in.id, current.version, record.row)
        session.execute(delete(Citation).where(col(Citation.claim_id) == claim_in.id))
        session.execute(delete(ClaimTag).where(col(ClaimTag.claim_id) == claim_in.id))
        outcome = Outcome.updated
    session.flush()
    topic = session.get(Topic, claim_in.topic)
    labels = {topic.id: topic.label} if topic is not None else {}
    _write_parts(session, [record], indexer.prepare([_index_entry(claim_in, record.row["version"], labels)]))
    return outcome


def prepare_new_claims(
    *, session: Session, batches: Sequence[Sequence[ClaimIn]], indexer: ClaimIndexer, ahead: int
) -> Iterator[PendingIndex]:
    """Each batch's pending index for save_new_claims, in order, its vectors started `ahead` batches early.

    The embedding thread works through them while the main thread writes the batches before,
    instead of starting each batch's vectors only as its rows go in; the window bounds the
    vectors held before they are written.
    """
    labels: dict[str, str] = {row.id: row.label for row in session.execute(select(col(Topic.id), col(Topic.label)))}
    started = (indexer.prepare([_index_entry(claim_in, FIRST_VERSION, labels) for claim_in in b]) for b in batches)
    window = deque(islice(started, ahead))
    while window:
        window.extend(islice(started, 1))
        yield window.popleft()


def save_new_claims(*, session: Session, claims_in: Sequence[ClaimIn], change: Change, index: PendingIndex) -> None:
    """Claims the database does not hold yet, as save_claim writes them, with one statement per table for all.

    `index` is what prepare_new_claims started for these claims; their vectors are computed while the rows go in.
    """
    if not claims_in:
        return
    now = now_utc()
    mark_changed(session)
    records = [
        _ClaimRecord.of(claim_in, digest=content_hash(claim_in), current=None, change=change, now=now)
        for claim_in in claims_in
    ]
    try:
        insert_rows(session, Claim, [record.row for record in records])
    except IntegrityError:
        raise AlreadyExists("a claim in this batch exists already; edit it with PATCH instead") from None
    _write_parts(session, records, index)


_PUBLIC_FIELDS_OF_IN = [name for name in ClaimPublic.model_fields if name in ClaimIn.model_fields]


@dataclass(frozen=True)
class _ClaimRecord:
    """A claim version as stored: its row, its pre-rendered document, and what it came from."""

    claim_in: ClaimIn
    row: dict[str, Any]
    now: dt.datetime
    change: Change

    @classmethod
    def of(cls, claim_in: ClaimIn, *, digest: str, current: Any, change: Change, now: dt.datetime) -> "_ClaimRecord":
        updated, reviewed = _review_times(claim_in, now)
        # Built from the checked record's own values: validating them again cost a new claim 4% of its import.
        public = ClaimPublic.model_construct(
            **{name: getattr(claim_in, name) for name in _PUBLIC_FIELDS_OF_IN},
            version=current.version + 1 if current else FIRST_VERSION,
            created_at=current.created_at if current else now,
            updated_at=updated,
            reviewed_at=reviewed,
        )
        document = public.model_dump_json()
        edited = current is None or _curated(orjson.loads(current.document)) != _curated(public.model_dump(mode="json"))
        row: dict[str, Any] = {
            "id": claim_in.id,
            "topic_id": claim_in.topic,
            "statement": claim_in.statement,
            "assessment": claim_in.assessment,
            "verdict": claim_in.verdict.value,
            "certainty_level": claim_in.certainty.level.value,
            "certainty_rank": claim_in.certainty.level.rank,
            "certainty_note": claim_in.certainty.note,
            "certainty_downgrades": [d.value for d in claim_in.certainty.downgrades],
            "pico": claim_in.pico.model_dump() if claim_in.pico else None,
            "snippet": claim_in.snippet,
            "status": claim_in.status.value,
            "version": public.version,
            "created_at": public.created_at,
            "updated_at": public.updated_at,
            "reviewed_at": public.reviewed_at,
            "content_sha256": digest,
            "document": document,
            "edited_by": change.by if edited else current.edited_by if current else None,
        }
        return cls(claim_in, row, now, change)


def _write_parts(session: Session, records: Sequence[_ClaimRecord], index: PendingIndex) -> None:
    """What goes with each claim version: citations, tags, the revision and the search index."""
    citations = [row for record in records for row in _citation_rows(record.claim_in)]
    tags = [
        {"claim_id": record.claim_in.id, "tag": tag}
        for record in records
        for tag in dict.fromkeys(record.claim_in.tags)
    ]
    revisions = [
        {
            "claim_id": record.claim_in.id,
            "version": record.row["version"],
            "changed_at": record.now,
            "changed_by": record.change.by,
            "note": record.change.note,
            "snapshot": None,  # the claim row holds the current version; _archive_current keeps it on the next
        }
        for record in records
    ]
    insert_rows(session, Citation, citations)
    if tags:
        insert_rows(session, ClaimTag, tags)
    insert_rows(session, ClaimRevision, revisions)
    index.write(session)


def _index_entry(claim_in: ClaimIn, version: int, labels: dict[str, str]) -> IndexEntry:
    """What the search index and the embedding hold of a claim version; its topic must exist."""
    if claim_in.topic not in labels:
        raise InvalidData(f"unknown topic '{claim_in.topic}'", [{"loc": ["topic"], "msg": "no topic has this id"}])
    fields: dict[str, Any] = {
        "statement": claim_in.statement,
        "snippet": claim_in.snippet,
        "assessment": claim_in.assessment,
        "notes": " ".join(citation.note for citation in claim_in.citations),
        "topic_label": labels[claim_in.topic],
        "status": claim_in.status.value,
        "topic_id": claim_in.topic,
        "verdict": claim_in.verdict.value,
        "certainty_rank": claim_in.certainty.level.rank,
    }
    return claim_in.id, version, fields


def retract_claim(
    *, session: Session, claim_id: str, changed_by: str, note: str, reviewed: dt.date, indexer: ClaimIndexer
) -> Outcome:
    """Withdraw a claim from public view without deleting it: a new version, with a revision saying why."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.status == ClaimStatus.retracted:
        return Outcome.unchanged
    current = ClaimPublic.model_validate_json(claim.document).model_dump(include=set(ClaimFields.model_fields))
    retracted = ClaimIn(**current, status=ClaimStatus.retracted, reviewed=reviewed)
    change = Change(by=changed_by, note=note)
    return save_claim(session=session, claim_in=retracted, change=change, indexer=indexer)


def save_release(*, session: Session, label: str | None) -> Outcome:
    state = session.get(DatasetState, 1)
    if state is None or state.release == label:
        return Outcome.unchanged
    state.release = label
    mark_changed(session)
    return Outcome.updated


def _review_times(claim_in: ClaimIn, now: dt.datetime) -> tuple[dt.datetime, dt.datetime | None]:
    """updated_at and reviewed_at: the curator's review date when given, so reloads do not move them."""
    if claim_in.reviewed is None:
        return now, now if claim_in.status == ClaimStatus.vetted else None
    reviewed = dt.datetime.combine(claim_in.reviewed, dt.time(), tzinfo=dt.UTC)
    return reviewed, None if claim_in.status == ClaimStatus.draft else reviewed


_NOT_CURATED = {"status", "version", "created_at", "updated_at", "reviewed_at"}


def _curated(document: dict[str, Any]) -> dict[str, Any]:
    """What a curator wrote, less the status a review sets and the fields the server keeps."""
    return {k: v for k, v in document.items() if k not in _NOT_CURATED}


def _archive_current(session: Session, claim_id: str, current: Any) -> None:
    """The version about to be replaced moves its document into its revision, which held none while it was current."""
    session.execute(
        update(ClaimRevision)
        .where(
            col(ClaimRevision.claim_id) == claim_id,
            col(ClaimRevision.version) == current.version,
            col(ClaimRevision.snapshot).is_(None),
        )
        .values(snapshot=current.document)
    )


def _check_based_on(change: Change, version: int | None, what: str) -> None:
    if change.based_on is not None and version != change.based_on:
        raise VersionMismatch(f"{what} is at version {version}, not {change.based_on}; fetch it again, redo the edit")


def _insert(session: Session, row: SQLModel, what: str) -> None:
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise AlreadyExists(f"{what} exists; edit it with PATCH instead") from None


def _update_version(session: Session, table: type[SQLModel], row_id: str, version: int, fields: dict[str, Any]) -> None:
    """A conditional UPDATE: it changes the row only if nobody changed it since `version` was read."""
    id_column, version_column = table.__table__.c.id, table.__table__.c.version  # type: ignore[attr-defined]
    result = session.execute(update(table).where(id_column == row_id, version_column == version).values(**fields))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise VersionMismatch(f"'{row_id}' was changed by someone else meanwhile; fetch it again and redo the edit")


def _citation_rows(claim_in: ClaimIn) -> list[dict[str, Any]]:
    return [
        {
            "claim_id": claim_in.id,
            "position": position,
            "source_id": citation.source_id,
            "relation": citation.relation.value,
            "quote": citation.quote,
            "locator_start": citation.locator.start if citation.locator else None,
            "locator_end": citation.locator.end if citation.locator else None,
            "note": citation.note,
        }
        for position, citation in enumerate(claim_in.citations)
    ]

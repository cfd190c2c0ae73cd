"""Importing a bundle over HTTP: validated whole, applied in one transaction, remembered per Idempotency-Key."""

import hashlib
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session

from app.bundle import read_bundle
from app.errors import IdempotencyKeyReused, InvalidData
from app.models.idempotency import IdempotentRequest
from app.models.types import now_utc
from app.records import Dataset, Problem
from app.services.indexing import ClaimIndexer
from app.services.loading import LoadSummary, load_dataset


class Counts(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class ImportResult(BaseModel):
    """What one import did, per kind of record (it never removes any)."""

    topics: Counts
    sources: Counts
    claims: Counts


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: bytes
    replayed: bool = False


@dataclass(frozen=True)
class Idempotency:
    """Who sent the request, the key it was sent with, and a digest of its body."""

    key_name: str
    key: str
    body_sha256: str


class _Replay(Exception):
    """The same request was applied meanwhile (the transaction is rolled back, its answer is replayed)."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer


def import_bundle(
    *, engine: Engine, body: bytes, changed_by: str, idempotency_key: str | None, indexer: ClaimIndexer
) -> Answer:
    """The import's answer; a replay of the first answer when the key was used before with the same body."""
    idempotency = None
    if idempotency_key is not None:
        idempotency = Idempotency(changed_by, idempotency_key, hashlib.sha256(body).hexdigest())
        with Session(engine) as session:
            answer = _remembered(session, idempotency)
        if answer is not None:
            return answer
    dataset = read_bundle(body.splitlines())
    _check(dataset)

    def remember(session: Session, summary: LoadSummary) -> None:
        if idempotency is None:
            return
        answer = _remembered(session, idempotency)
        if answer is not None:
            raise _Replay(answer)
        session.add(
            IdempotentRequest(
                key_name=idempotency.key_name,
                idempotency_key=idempotency.key,
                request_sha256=idempotency.body_sha256,
                status_code=200,
                response=_result(summary).model_dump_json(),
                created_at=now_utc(),
            )
        )

    try:
        summary = load_dataset(engine=engine, dataset=dataset, changed_by=changed_by, indexer=indexer, finish=remember)
    except _Replay as replay:
        return replay.answer
    return Answer(200, _result(summary).model_dump_json().encode())


def _check(dataset: Dataset) -> None:
    """A 422 listing every problem by line (counted from 1) and field, before anything is written."""
    if not (dataset.topics or dataset.sources or dataset.claims or dataset.problems):
        message = "the bundle holds no records; send one JSON object per line, as GET /v1/export?format=jsonl writes"
        raise InvalidData(message, [{"loc": ["body"], "msg": "no records"}])
    if dataset.ok:
        return
    errors: list[dict[str, object]] = [
        {"loc": ["line", problem.line or 0, *problem.field], "msg": _said(problem)} for problem in dataset.problems
    ]
    lines = ", ".join(str(line) for line in sorted({problem.line or 0 for problem in dataset.problems}))
    raise InvalidData(f"{len(errors)} problem(s), on line(s) {lines}; nothing was imported", errors)


def _said(problem: Problem) -> str:
    return problem.message if problem.item in ("-", "?") else f"'{problem.item}': {problem.message}"


def _result(summary: LoadSummary) -> ImportResult:
    counts = {kind: Counts.model_validate(summary.counts.get(kind, {})) for kind in ("topic", "source", "claim")}
    return ImportResult(topics=counts["topic"], sources=counts["source"], claims=counts["claim"])


def _remembered(session: Session, idempotency: Idempotency) -> Answer | None:
    """The answer first given under this key, None if it is new; 422 if it came with another body."""
    row = session.get(IdempotentRequest, (idempotency.key_name, idempotency.key))
    if row is None:
        return None
    if row.request_sha256 != idempotency.body_sha256:
        raise IdempotencyKeyReused(
            f"Idempotency-Key '{idempotency.key}' was used with a different body; use a new key for a new import",
            [{"loc": ["header", "idempotency-key"], "msg": "already used with a different body"}],
        )
    return Answer(row.status_code, row.response.encode(), replayed=True)

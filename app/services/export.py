"""What an export covers (vetted claims, optionally of one topic or one claim) read in short batches.

Each batch is its own short statement, so an export streams to a slow client without holding
the dataset in memory or a statement open past its time limit.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import col

from app.errors import NotFound
from app.models.claim import Citation, Claim, ClaimStatus
from app.models.source import Source
from app.models.topic import Topic
from app.services.paging import AnySelect
from app.services.source_refs import read_refs

BATCH = 200
SOURCE_COLUMNS = [column for column in Source.__table__.columns if column.name not in {"text", "content_sha256"}]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ExportRequest:
    """The selection, and what links and authorship in the output need to know."""

    topic: str | None = None
    claim: str | None = None
    base_url: str = ""
    publisher: str = ""


Writer = Callable[[Connection, ExportRequest], Iterator[bytes]]


def check_selection(*, conn: Connection, request: ExportRequest) -> None:
    """Unknown topics and claims are a 404 before any byte is streamed."""
    known_topic = select(col(Topic.id)).where(col(Topic.id) == request.topic)
    if request.topic is not None and conn.execute(known_topic).first() is None:
        raise NotFound(f"no topic has id '{request.topic}'; list them at /v1/topics")
    if request.claim is not None:
        status = conn.execute(select(col(Claim.status)).where(col(Claim.id) == request.claim)).scalar()
        if status != ClaimStatus.vetted.value:
            raise NotFound(f"no vetted claim has id '{request.claim}'; list them at /v1/claims")


def claim_batches(conn: Connection, request: ExportRequest) -> Iterator[list[dict[str, Any]]]:
    """The selected claims' public documents, by id, BATCH at a time."""
    query = _selected(select(col(Claim.id), col(Claim.document)), request)
    for rows in _pages(conn, query, col(Claim.id)):
        yield [orjson.loads(row.document) for row in rows]


def claims(conn: Connection, request: ExportRequest) -> Iterator[tuple[dict[str, Any], dict[str, dict[str, Any]]]]:
    """Each selected claim's public document, by id, with the sources it cites (looked up once per batch)."""
    for documents in claim_batches(conn, request):
        cited = {citation["source_id"] for document in documents for citation in document["citations"]}
        sources, _ = read_refs(conn, cited)
        for document in documents:
            yield document, sources


def selected_topics(conn: Connection, request: ExportRequest) -> list[Any]:
    """The topics of the selected claims, in display order (a handful, read at once)."""
    used = _selected(select(col(Claim.topic_id)), request)
    query = select(col(Topic.id), col(Topic.label), col(Topic.description)).where(
        col(Topic.id).in_(used.scalar_subquery())
    )
    return list(conn.execute(query.order_by(col(Topic.position), col(Topic.id))).all())


def cited_sources(conn: Connection, request: ExportRequest, columns: list[Any] = SOURCE_COLUMNS) -> Iterator[Any]:
    """Every source the selected claims cite, material included, by id (rows of `columns`: the public ones)."""
    cited = _selected(select(col(Citation.source_id)).join(Claim, col(Claim.id) == col(Citation.claim_id)), request)
    query = select(*columns).where(col(Source.id).in_(cited.scalar_subquery()))
    for rows in _pages(conn, query, col(Source.id)):
        yield from rows


def _selected(query: AnySelect, request: ExportRequest) -> AnySelect:
    query = query.where(col(Claim.status) == ClaimStatus.vetted.value)
    if request.topic is not None:
        query = query.where(col(Claim.topic_id) == request.topic)
    if request.claim is not None:
        query = query.where(col(Claim.id) == request.claim)
    return query


def _pages(conn: Connection, query: AnySelect, key: Any) -> Iterator[list[Any]]:
    """Rows in key order, BATCH at a time, each batch a statement of its own."""
    last = None
    while True:
        page = query if last is None else query.where(key > last)
        rows = list(conn.execute(page.order_by(key).limit(BATCH)).all())
        if rows:
            yield rows
        if len(rows) < BATCH:
            return
        last = rows[-1]._mapping[key.key]


def json_array(items: Iterator[Any], *, opening: bytes = b"[", closing: bytes = b"]") -> Iterator[bytes]:
    """Stream a JSON array (or an object ending in one, given its opening and closing bytes)."""
    yield opening
    for position, item in enumerate(items):
        yield (b"," if position else b"") + orjson.dumps(item)
    yield closing

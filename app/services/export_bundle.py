"""The JSONL export: the selection as a bundle that POST /v1/import and `evidence load` take back."""

from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import Connection

from app.bundle import bundle_line
from app.models.claim import ClaimIn
from app.models.source import Source
from app.models.topic import TopicIn
from app.services import sources
from app.services.export import ExportRequest, cited_sources, claim_batches, selected_topics

_ALL_SOURCE_COLUMNS = list(Source.__table__.columns)  # type: ignore[attr-defined]


def jsonl(conn: Connection, request: ExportRequest) -> Iterator[bytes]:
    """Topics, then sources (text included), then claims: the order a reader can check references in."""
    for topic in selected_topics(conn, request):
        yield bundle_line("topic", TopicIn.model_validate(topic._mapping))
    for row in cited_sources(conn, request, columns=_ALL_SOURCE_COLUMNS):
        yield bundle_line("source", sources.as_written(row))
    for documents in claim_batches(conn, request):
        yield b"".join(bundle_line("claim", as_exported(document)) for document in documents)


def as_exported(document: dict[str, Any]) -> ClaimIn:
    """A served claim as a curator writes it, its review date taken from reviewed_at (a UTC timestamp)."""
    fields = {name: document[name] for name in ClaimIn.model_fields if name in document}
    reviewed_at = document.get("reviewed_at")
    return ClaimIn.model_validate(fields | {"reviewed": reviewed_at[:10] if reviewed_at else None})

"""Reading sources, their exact text, and the kind filter."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import col

from app.domain.csl import csl_item
from app.domain.fhir import citation_resource
from app.domain.references import ReferenceFormat, write_reference
from app.errors import NotFound
from app.models.source import Source, SourceIn, SourceKind, SourcePublic
from app.services.paging import Page, PageRequest, SortKey, fetch_page

_PUBLIC_COLUMNS = [column for column in Source.__table__.columns if column.name not in {"text", "content_sha256"}]  # type: ignore[attr-defined]


def to_public(row: Any) -> SourcePublic:
    fields = row._mapping
    return SourcePublic.model_validate(
        {
            **{name: fields[name] for name in SourcePublic.model_fields if name in fields},
            "reliability": {"rating": fields["reliability_rating"], "note": fields["reliability_note"]},
        }
    )


def as_written(row: Any) -> SourceIn:
    """A stored source (all columns) as the record a curator writes: what export emits and import takes."""
    fields = row._mapping
    return SourceIn.model_validate(
        {
            **{name: fields[name] for name in SourceIn.model_fields if name in fields},
            "reliability": {"rating": fields["reliability_rating"], "note": fields["reliability_note"]},
        }
    )


def read_source_as_written(*, conn: Connection, source_id: str) -> tuple[SourceIn, int]:
    """The source as a curator would write it, and its version."""
    row = conn.execute(select(Source.__table__).where(Source.__table__.c.id == source_id)).first()  # type: ignore[attr-defined]
    if row is None:
        raise NotFound(f"no source has id '{source_id}'; list them at /v1/sources")
    return as_written(row), row.version


def list_sources(*, conn: Connection, kind: SourceKind | None, page: PageRequest) -> Page:
    query = select(*_PUBLIC_COLUMNS, col(Source.id).label("sort_id"))
    if kind is not None:
        query = query.where(col(Source.kind) == kind.value)
    return fetch_page(conn, query, [SortKey(Source.id)], page)


def read_source(*, conn: Connection, source_id: str) -> SourcePublic:
    return to_public(_public_row(conn, source_id))


def read_reference(*, conn: Connection, source_id: str, reference_format: ReferenceFormat) -> str:
    """The source's reference in one format, written from its CSL-JSON item (Vancouver was rendered on write)."""
    row = _public_row(conn, source_id)
    if reference_format == ReferenceFormat.vancouver:
        return str(row.citation)
    return write_reference(csl_item(row._mapping), reference_format)


def read_fhir_citation(*, conn: Connection, source_id: str, base_url: str) -> dict[str, Any]:
    """The source as a FHIR R5 Citation, the same resource the FHIR export holds."""
    return citation_resource(_public_row(conn, source_id)._mapping, base_url=base_url)


def _public_row(conn: Connection, source_id: str) -> Any:
    row = conn.execute(select(*_PUBLIC_COLUMNS).where(col(Source.id) == source_id)).first()
    if row is None:
        raise NotFound(f"no source has id '{source_id}'; list them at /v1/sources")
    return row


def read_source_text(*, conn: Connection, source_id: str) -> str:
    row = conn.execute(select(col(Source.text)).where(col(Source.id) == source_id)).first()
    if row is None:
        raise NotFound(f"no source has id '{source_id}'; list them at /v1/sources")
    if row.text is None:
        raise NotFound(f"we hold no text for source '{source_id}'; its doi, pmid or url leads to it")
    return str(row.text)

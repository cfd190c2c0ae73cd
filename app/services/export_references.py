"""Bulk references: every source an export selects, as BibTeX, RIS or CSL-JSON from one CSL-JSON item each."""

from collections.abc import Iterator

from sqlalchemy.engine import Connection

from app.domain.bibtex import bibtex_entry
from app.domain.csl import csl_item
from app.domain.ris import ris_record
from app.services.export import ExportRequest, cited_sources, json_array


def bibtex(conn: Connection, request: ExportRequest) -> Iterator[bytes]:
    for position, row in enumerate(cited_sources(conn, request)):
        yield (b"\n" if position else b"") + bibtex_entry(csl_item(row._mapping)).encode()


def ris(conn: Connection, request: ExportRequest) -> Iterator[bytes]:
    for position, row in enumerate(cited_sources(conn, request)):
        yield (b"\n" if position else b"") + ris_record(csl_item(row._mapping)).encode()


def csl_json(conn: Connection, request: ExportRequest) -> Iterator[bytes]:
    return json_array(csl_item(row._mapping) for row in cited_sources(conn, request))

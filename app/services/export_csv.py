"""The CSV export: one row per vetted claim, flat enough for a spreadsheet.

UTF-8 with a byte order mark (Excel reads UTF-8 only with it), CRLF row ends (RFC 4180), and
cells that a spreadsheet would run as a formula defused with a leading apostrophe (OWASP).
"""

import csv
import io
from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import Connection

from app.services.export import ExportRequest, claim_batches

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PICO = ("population", "intervention", "comparator", "outcome")
COLUMNS = [
    "id",
    "topic",
    "statement",
    "verdict",
    "certainty_level",
    "certainty_note",
    "certainty_downgrades",
    *(f"pico_{part}" for part in PICO),
    "tags",
    "assessment",
    "snippet",
    "citations",
    "version",
    "reviewed_at",
    "updated_at",
    "url",
]


def table(conn: Connection, request: ExportRequest) -> Iterator[bytes]:
    """The header, then one batch of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield (BOM + buffer.getvalue()).encode()
    for documents in claim_batches(conn, request):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([defused(cell) for cell in row(document, request.base_url)] for document in documents)
        yield buffer.getvalue().encode()


def row(claim: dict[str, Any], base_url: str) -> list[str | int]:
    certainty, pico = claim["certainty"], claim["pico"] or {}
    return [
        claim["id"],
        claim["topic"],
        claim["statement"],
        claim["verdict"],
        certainty["level"],
        certainty["note"],
        "; ".join(certainty["downgrades"]),
        *(pico.get(part, "") for part in PICO),
        "; ".join(claim["tags"]),
        claim["assessment"],
        claim["snippet"],
        "; ".join(f"{citation['source_id']}:{citation['relation']}" for citation in claim["citations"]),
        claim["version"],
        claim["reviewed_at"] or "",
        claim["updated_at"],
        f"{base_url}/v1/claims/{claim['id']}",
    ]


def defused(cell: str | int) -> str | int:
    """A text cell a spreadsheet would read as a formula, made plain text by a leading apostrophe."""
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell

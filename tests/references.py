"""Independent parsers for our reference formats, and field-by-field comparison with the curated record."""

import json
import re
from pathlib import Path
from typing import Any

import bibtexparser
import jsonschema
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts

from app.dataset import Dataset
from app.models.source import SourceIn

CSL_SCHEMA = json.loads((Path(__file__).parent / "schemas" / "csl-data.schema.json").read_text())


def cited_by_vetted(dataset: Dataset, *, topic: str | None = None, claim: str | None = None) -> set[str]:
    """Ids of the sources an export of the vetted claims (of one topic, or one claim) must hold."""
    return {
        citation.source_id
        for record in dataset.claims
        if record.status == "vetted" and topic in (None, record.topic) and claim in (None, record.id)
        for citation in record.citations
    }


def families(source: SourceIn) -> list[str]:
    return [author.family for author in source.authors]


def _year(source: SourceIn) -> str | None:
    return source.issued[:4] if source.issued else None


def _dashes(pages: str | None) -> str | None:
    return None if pages is None else re.sub(r"[-\u2013]+", "-", pages)


def csl_items(text: str) -> dict[str, dict[str, Any]]:
    """A CSL-JSON array, validated against the schema, by id."""
    items = json.loads(text)
    jsonschema.validate(items, CSL_SCHEMA)
    return {item["id"]: item for item in items}


def check_csl_item(item: dict[str, Any], source: SourceIn) -> None:
    assert item["id"] == source.id and item["title"] == source.title
    if source.authors:
        assert [name["family"] for name in item["author"]] == families(source)
    assert item.get("container-title") == source.container_title
    assert item.get("DOI") == source.doi and item.get("PMID") == source.pmid
    assert item.get("volume") == source.volume and item.get("page") == source.pages
    date = [[int(part) for part in source.issued.split("-")]] if source.issued else None
    assert item.get("issued", {}).get("date-parts") == date


def bibtex_entries(text: str) -> dict[str, Any]:
    """Entries by key, parsed by bibtexparser with LaTeX decoded and names split."""
    library = bibtexparser.parse_string(
        text, append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors(), SplitNameParts()]
    )
    assert not library.failed_blocks
    return {entry.key: entry for entry in library.entries}


def check_bibtex_entry(entry: Any, source: SourceIn) -> None:
    fields = {key: field.value for key, field in entry.fields_dict.items()}
    assert entry.key == source.id and fields["title"] == source.title
    if source.authors:
        assert [" ".join(name.last) for name in fields["author"]] == families(source)
    if entry.entry_type == "article":
        assert fields["journal"] == source.container_title
    assert fields.get("year") == _year(source)
    assert fields.get("volume") == source.volume
    assert _dashes(fields.get("pages")) == source.pages
    assert fields.get("doi") == source.doi


def ris_records(text: str) -> dict[str, dict[str, Any]]:
    """Records by their ID tag, parsed by rispy."""
    return {record["id"]: record for record in rispy.loads(text)}


def check_ris_record(record: dict[str, Any], source: SourceIn) -> None:
    assert record["title"] == source.title
    if source.authors:
        assert [author.split(",")[0] for author in record["authors"]] == families(source)
    assert record.get("secondary_title") == source.container_title
    assert record.get("year") == _year(source)
    assert record.get("volume") == source.volume
    pages = "-".join(filter(None, (record.get("start_page"), record.get("end_page"))))
    assert (pages or None) == source.pages
    assert record.get("doi") == source.doi

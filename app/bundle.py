"""The JSONL bundle: one record per line, what export writes and import reads back.

Each line is a JSON object with `type` (topic, source or claim) and exactly the fields a curator
writes (TopicIn, SourceIn with its text inline, ClaimIn). A bundle is part of a dataset: it adds
and updates records; synonyms and the release label stay with the dataset folder.
"""

from collections.abc import Iterable
from typing import Any

import orjson
from pydantic import BaseModel

from app.models.claim import ClaimIn
from app.models.source import SourceIn
from app.models.topic import TopicIn
from app.records import (
    Dataset,
    Origins,
    Problem,
    Where,
    check_references,
    check_review_date,
    claim_refs,
    item_id,
    validate,
)

MEDIA_TYPE = "application/x-ndjson"
MEDIA_TYPES = (MEDIA_TYPE, "application/jsonl")
KINDS = ("topic", "source", "claim")


def bundle_line(kind: str, record: BaseModel) -> bytes:
    """One record as a bundle line: its type first, then its fields in the model's order."""
    return orjson.dumps({"type": kind, **record.model_dump(mode="json")}) + b"\n"


def read_bundle(lines: Iterable[bytes], name: str = "bundle") -> Dataset:
    """Parse every line, then check what single lines cannot; every problem names its line (counted from 1)."""
    dataset = Dataset(whole=False)
    origins = Origins()
    for number, line in enumerate(lines, start=1):
        if line.strip():
            _read_line(line, Where(name, number), dataset, origins)
    check_references(dataset, origins)
    return dataset


def _read_line(line: bytes, where: Where, dataset: Dataset, origins: Origins) -> None:
    problems = dataset.problems
    try:
        raw: Any = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        problems.append(Problem.at(where, "-", f"not JSON: {error.msg} at column {error.colno}"))
        return
    if not isinstance(raw, dict):
        problems.append(Problem.at(where, "-", "expected a JSON object with a `type`: topic, source or claim"))
        return
    kind = raw.pop("type", None)
    item = item_id(raw)
    if kind not in KINDS:
        given = "missing" if kind is None else f"unknown type {orjson.dumps(kind).decode()}"
        problems.append(Problem.at(where, item, f"{given}; use topic, source or claim", ("type",)))
        return
    origins.add(kind, item, where)
    if kind == "topic":
        _append(dataset.topics, validate(TopicIn, raw, where, item, problems))
    elif kind == "source":
        _append(dataset.sources, validate(SourceIn, raw, where, item, problems))
    else:
        claim = validate(ClaimIn, raw, where, item, problems)
        if claim is not None:
            check_review_date(where, claim, problems)
        origins.claims.append(claim_refs(raw, claim, where))
        _append(dataset.claims, claim)


def _append(records: list[Any], record: BaseModel | None) -> None:
    if record is not None:
        records.append(record)

"""A dataset however it was read (a folder or a bundle), and the rules that hold across its records."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from app.domain.quotes import QuoteError, locate_quote
from app.models.claim import CitationIn, ClaimIn, ClaimStatus, Relation, Verdict
from app.models.meta import ReleaseIn, UrlHost
from app.models.source import SourceIn, SourceKind
from app.models.topic import TopicIn

M = TypeVar("M", bound=BaseModel)
Field = tuple[str | int, ...]


@dataclass(frozen=True)
class Where:
    """Where a record was read: a file, or a line of a bundle."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the dataset, said so a curator can find and fix it: where, which record, which field."""

    file: str
    item: str
    message: str
    line: int | None = None
    field: Field = ()

    @classmethod
    def at(cls, where: Where, item: str, message: str, field: Field = ()) -> "Problem":
        return cls(where.file, item, message, where.line, field)

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        at = ".".join(str(part) for part in self.field)
        return f"{where}: {self.item}: {at + ': ' if at else ''}{self.message}"


@dataclass
class Dataset:
    """Records ready to load. A folder is `whole`: its order, synonyms and release are the dataset's.
    A bundle is a part: it adds and updates records and leaves everything else as it is."""

    topics: list[TopicIn] = field(default_factory=list)
    sources: list[SourceIn] = field(default_factory=list)
    claims: list[ClaimIn] = field(default_factory=list)
    synonyms: list[list[str]] = field(default_factory=list)
    release: ReleaseIn | None = None
    url_hosts: list[UrlHost] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    whole: bool = True

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ClaimRefs:
    """What cross-record checks need of a claim, even of one that failed validation."""

    where: Where
    claim_id: str
    topic: object
    citations: list[tuple[int, CitationIn]]
    reviewed: dt.date | None


@dataclass
class Origins:
    """Where each record was read (in reading order), for the checks across records."""

    ids: dict[str, list[tuple[str, Where]]] = field(default_factory=dict)  # kind -> (id, where)
    claims: list[ClaimRefs] = field(default_factory=list)

    def add(self, kind: str, record_id: str, where: Where) -> None:
        self.ids.setdefault(kind, []).append((record_id, where))


def validate(model: type[M], raw: Any, where: Where, item: str, problems: list[Problem]) -> M | None:
    """The record, or None with one problem per field at fault."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        for detail in error.errors():
            problems.append(Problem.at(where, item, detail["msg"], tuple(detail["loc"])))
        return None


def item_id(raw: Any, key: str = "id") -> str:
    return str(raw.get(key, "?")) if isinstance(raw, dict) else "?"


def claim_refs(raw: dict[str, Any], claim: ClaimIn | None, where: Where) -> ClaimRefs:
    """A claim's references; of an invalid claim, what can still be checked, so one run lists every problem."""
    if claim is not None:
        return ClaimRefs(where, claim.id, claim.topic, list(enumerate(claim.citations)), claim.reviewed)
    raw_citations = raw.get("citations")
    parsed = (_parsed(CitationIn, entry) for entry in (raw_citations if isinstance(raw_citations, list) else []))
    citations = [(index, citation) for index, citation in enumerate(parsed) if citation is not None]
    return ClaimRefs(where, item_id(raw), raw.get("topic"), citations, None)


def check_review_date(where: Where, claim: ClaimIn, problems: list[Problem]) -> None:
    """A reviewed claim says when it was reviewed; that date drives its reviewed_at and updated_at."""
    if claim.reviewed is None:
        if claim.status != ClaimStatus.draft:
            problems.append(Problem.at(where, claim.id, "give the date of the last review (YYYY-MM-DD)", ("reviewed",)))
    elif claim.reviewed > dt.datetime.now(dt.UTC).date():
        problems.append(Problem.at(where, claim.id, f"{claim.reviewed} is in the future", ("reviewed",)))


def _parsed(model: type[M], raw: Any) -> M | None:
    """The record if it is valid, else None (its problems are reported elsewhere)."""
    try:
        return model.model_validate(raw)
    except ValidationError:
        return None


def check_references(dataset: Dataset, origins: Origins) -> None:
    """Rules across records: unique ids, known topics and sources, quotes verbatim at their offsets."""
    problems = dataset.problems
    for kind, placed in origins.ids.items():
        seen: set[str] = set()
        for record_id, where in placed:
            if record_id in seen:
                problems.append(Problem.at(where, record_id, f"{kind} id is used more than once", ("id",)))
            seen.add(record_id)
    topics = {topic.id for topic in dataset.topics}
    sources = {source.id: source for source in dataset.sources}
    for claim in origins.claims:
        if claim.topic not in topics:
            problems.append(Problem.at(claim.where, claim.claim_id, f"unknown topic '{claim.topic}'", ("topic",)))
        for index, citation in claim.citations:
            source = sources.get(citation.source_id)
            found = citation_problem(citation, source) or _review_problem(claim.reviewed, source)
            if found:
                problems.append(Problem.at(claim.where, claim.claim_id, found[1], ("citations", index, found[0])))
    places = {claim.claim_id: claim.where for claim in origins.claims}
    for record in dataset.claims:
        message = literature_problem(record, sources)
        if message:
            problems.append(Problem.at(places[record.id], record.id, message, ("citations",)))


def _review_problem(reviewed: dt.date | None, source: SourceIn | None) -> tuple[str, str] | None:
    """A review cannot rest on a source record checked after it."""
    if reviewed is None or source is None or source.accessed <= reviewed:
        return None
    return "source_id", f"'{source.id}' was checked on {source.accessed}, after this claim's review on {reviewed}"


class QuotedSource(Protocol):
    """What the citation rules need of a source, whether read from a file or from the database."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str | None: ...


def citation_problem(citation: CitationIn, source: QuotedSource | None) -> tuple[str, str] | None:
    """The field at fault in one citation and what is wrong with it, if anything; fills in a missing locator."""
    if source is None:
        return "source_id", f"unknown source '{citation.source_id}'"
    if citation.relation == Relation.states and source.kind != SourceKind.material:
        return "relation", "'states' must cite the material"
    if citation.quote is None:
        return None
    if source.text is None:
        return "quote", f"source '{source.id}' holds no text to quote"
    try:
        citation.locator = locate_quote(source.text, citation.quote, citation.locator)
    except QuoteError as error:
        return "locator", str(error)
    return None


def literature_problem(claim: ClaimIn, sources: Mapping[str, QuotedSource]) -> str | None:
    """A vetted claim rests on more than the material itself, unless it is judged unsupported."""
    if claim.status != ClaimStatus.vetted or claim.verdict == Verdict.unsupported:
        return None
    cited = (sources.get(citation.source_id) for citation in claim.citations)
    if any(source is not None and source.kind != SourceKind.material for source in cited):
        return None
    return "a vetted claim must cite a source other than the material, unless its verdict is 'unsupported'"

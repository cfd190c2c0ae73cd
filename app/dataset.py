"""Read and validate the review-friendly data/ layout into the API's own models."""

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.domain.links import link_problem
from app.domain.quotes import QuoteError, locate_quote
from app.models.claim import CitationIn, ClaimIn, ClaimStatus, Relation, Verdict
from app.models.meta import ReleaseIn, UrlHost
from app.models.source import SourceIn, SourceKind
from app.models.topic import TopicIn

M = TypeVar("M", bound=BaseModel)

SYNONYMS_FILE = "synonyms.yaml"
RELEASE_FILE = "release.yaml"
URL_HOSTS_FILE = "url-hosts.yaml"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the dataset, said so a curator can find and fix it."""

    file: str
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.message}"


@dataclass
class Dataset:
    topics: list[TopicIn] = field(default_factory=list)
    sources: list[SourceIn] = field(default_factory=list)
    claims: list[ClaimIn] = field(default_factory=list)
    synonyms: list[list[str]] = field(default_factory=list)
    release: ReleaseIn | None = None
    url_hosts: list[UrlHost] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_dataset(root: Path) -> Dataset:
    """Parse every file, then check what single files cannot: ids, references, quotes."""
    dataset = Dataset()
    if not root.is_dir():
        dataset.problems.append(Problem(str(root), "-", "no such directory"))
        return dataset
    dataset.topics = _read_topics(root / "topics.yaml", dataset.problems)
    dataset.synonyms = read_synonyms(root / SYNONYMS_FILE, dataset.problems)
    dataset.release = _read_release(root / RELEASE_FILE, dataset.problems)
    dataset.url_hosts = _read_url_hosts(root / URL_HOSTS_FILE, dataset.problems)
    hosts = {entry.host for entry in dataset.url_hosts}
    sources = (_read_source(path, dataset.problems, hosts) for path in _yaml_files(root / "sources"))
    dataset.sources = [source for source in sources if source]
    refs: list[_ClaimRefs] = []
    claims = (_read_claim(path, dataset.problems, refs) for path in _yaml_files(root / "claims"))
    dataset.claims = [claim for claim in claims if claim]
    _check_references(root, dataset, refs)
    return dataset


def read_synonyms(path: Path, problems: list[Problem]) -> list[list[str]]:
    """Synonym groups: a list of lists of lower-case words or phrases (the file is optional)."""
    if not path.is_file():
        return []
    raw = _load_yaml(path, problems)
    groups = raw if isinstance(raw, list) else None
    if groups is None or not all(
        isinstance(g, list) and g and all(isinstance(w, str) and w.strip() for w in g) for g in groups
    ):
        problems.append(Problem(str(path), "-", "expected a list of groups, each a non-empty list of words or phrases"))
        return []
    return [[word.lower() for word in group] for group in groups]


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def _load_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problems.append(Problem(str(path), "-", f"cannot read: {error}"))
        return None


def _validate(model: type[M], raw: Any, path: Path, item: str, problems: list[Problem]) -> M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        for detail in error.errors():
            where = ".".join(str(part) for part in detail["loc"]) or "-"
            problems.append(Problem(str(path), item, f"{where}: {detail['msg']}"))
        return None


def _read_topics(path: Path, problems: list[Problem]) -> list[TopicIn]:
    raw = _load_yaml(path, problems) if path.is_file() else None
    if not isinstance(raw, list):
        problems.append(Problem(str(path), "-", "expected a list of topics"))
        return []
    topics = [_validate(TopicIn, entry, path, _item_id(entry), problems) for entry in raw]
    return [topic for topic in topics if topic]


def _read_release(path: Path, problems: list[Problem]) -> ReleaseIn | None:
    if not path.is_file():
        problems.append(Problem(str(path), "-", "missing: name this edition of the dataset with `label: ...`"))
        return None
    return _validate(ReleaseIn, _load_yaml(path, problems), path, "release", problems)


def _read_url_hosts(path: Path, problems: list[Problem]) -> list[UrlHost]:
    raw = _load_yaml(path, problems) if path.is_file() else None
    if not isinstance(raw, list):
        problems.append(Problem(str(path), "-", "expected a list of {host, why}: the hosts of canonical records"))
        return []
    hosts = [_validate(UrlHost, entry, path, _item_id(entry, key="host"), problems) for entry in raw]
    return [host for host in hosts if host]


def _item_id(raw: Any, key: str = "id") -> str:
    return str(raw.get(key, "?")) if isinstance(raw, dict) else "?"


def _read_source(path: Path, problems: list[Problem], hosts: set[str]) -> SourceIn | None:
    raw = _load_yaml(path, problems)
    if not isinstance(raw, dict):
        problems.append(Problem(str(path), "-", "expected a mapping of source fields"))
        return None
    item = _item_id(raw)
    text_file = raw.pop("text_file", None)
    expected_sha = raw.pop("text_sha256", None)
    if text_file is not None:
        text_path = path.parent / str(text_file)
        try:
            data = text_path.read_bytes()
            raw["text"] = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(str(path), item, f"text_file: cannot read {text_path.name}: {error}"))
            return None
        actual_sha = hashlib.sha256(data).hexdigest()
        if expected_sha is not None and expected_sha != actual_sha:
            problems.append(Problem(str(path), item, f"text_sha256: {text_path.name} hashes to {actual_sha}"))
    elif expected_sha is not None:
        problems.append(Problem(str(path), item, "text_sha256: given without a text_file"))
    source = _validate(SourceIn, raw, path, item, problems)
    _check_file_name(path, source, problems)
    if source is not None and source.kind != SourceKind.material:
        link = link_problem(url=source.url, doi=source.doi, allowed_hosts=hosts)
        if link:
            problems.append(Problem(str(path), item, link))
    return source


def _read_claim(path: Path, problems: list[Problem], refs: list["_ClaimRefs"]) -> ClaimIn | None:
    raw = _load_yaml(path, problems)
    if not isinstance(raw, dict):
        problems.append(Problem(str(path), "-", "expected a mapping of claim fields"))
        return None
    claim = _validate(ClaimIn, raw, path, _item_id(raw), problems)
    _check_file_name(path, claim, problems)
    if claim is not None:
        _check_review_date(path, claim, problems)
        citations = list(enumerate(claim.citations))
        refs.append(_ClaimRefs(str(path), claim.id, claim.topic, citations, claim.reviewed))
    else:  # still check what can be checked, so one run lists every problem
        raw_citations = raw.get("citations")
        parsed = (_parsed(CitationIn, entry) for entry in (raw_citations if isinstance(raw_citations, list) else []))
        citations = [(index, citation) for index, citation in enumerate(parsed) if citation is not None]
        refs.append(_ClaimRefs(str(path), _item_id(raw), raw.get("topic"), citations, None))
    return claim


def _check_review_date(path: Path, claim: ClaimIn, problems: list[Problem]) -> None:
    """A reviewed claim says when it was reviewed; that date drives its reviewed_at and updated_at."""
    if claim.reviewed is None:
        if claim.status != ClaimStatus.draft:
            problems.append(Problem(str(path), claim.id, "reviewed: give the date of the last review (YYYY-MM-DD)"))
    elif claim.reviewed > dt.datetime.now(dt.UTC).date():
        problems.append(Problem(str(path), claim.id, f"reviewed: {claim.reviewed} is in the future"))


def _parsed(model: type[M], raw: Any) -> M | None:
    """The record if it is valid, else None (its problems are reported elsewhere)."""
    try:
        return model.model_validate(raw)
    except ValidationError:
        return None


def _check_file_name(path: Path, record: SourceIn | ClaimIn | None, problems: list[Problem]) -> None:
    if record is not None and record.id != path.stem:
        problems.append(Problem(str(path), record.id, f"id must equal the file name '{path.stem}'"))


def _duplicates(ids: Iterator[str]) -> list[str]:
    counts = Counter(ids)
    return sorted(i for i, n in counts.items() if n > 1)


@dataclass
class _ClaimRefs:
    """What cross-file checks need of a claim file, even of one that failed validation."""

    path: str
    claim_id: str
    topic: object
    citations: list[tuple[int, CitationIn]]
    reviewed: dt.date | None


def _check_references(root: Path, dataset: Dataset, refs: list[_ClaimRefs]) -> None:
    """Cross-file rules: unique ids, known topics and sources, quotes verbatim at their offsets."""
    problems = dataset.problems
    for kind, records in (("topic", dataset.topics), ("source", dataset.sources), ("claim", dataset.claims)):
        for duplicate in _duplicates(r.id for r in records):
            problems.append(Problem(str(root), duplicate, f"{kind} id is used more than once"))
    topics = {topic.id for topic in dataset.topics}
    sources = {source.id: source for source in dataset.sources}
    for claim in refs:
        if claim.topic not in topics:
            problems.append(Problem(claim.path, claim.claim_id, f"topic: unknown topic '{claim.topic}'"))
        for index, citation in claim.citations:
            source = sources.get(citation.source_id)
            found = citation_problem(citation, source) or _review_problem(claim.reviewed, source)
            if found:
                problems.append(Problem(claim.path, claim.claim_id, f"citations.{index}.{found[0]}: {found[1]}"))
    paths = {claim.claim_id: claim.path for claim in refs}
    for record in dataset.claims:
        message = literature_problem(record, sources)
        if message:
            problems.append(Problem(paths[record.id], record.id, message))


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
    return "citations: a vetted claim must cite a source other than the material, unless its verdict is 'unsupported'"

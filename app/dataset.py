"""Read and validate the review-friendly data/ layout into the API's own models."""

import hashlib
from pathlib import Path
from typing import Any

import yaml

from app.domain.links import link_problem
from app.models.claim import ClaimIn
from app.models.meta import ReleaseIn, UrlHost
from app.models.source import SourceIn, SourceKind
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

SYNONYMS_FILE = "synonyms.yaml"
RELEASE_FILE = "release.yaml"
URL_HOSTS_FILE = "url-hosts.yaml"


def read_dataset(root: Path) -> Dataset:
    """Parse every file, then check what single files cannot: ids, references, quotes."""
    dataset = Dataset()
    if not root.is_dir():
        dataset.problems.append(Problem(str(root), "-", "no such folder (or bundle file)"))
        return dataset
    origins = Origins()
    dataset.topics = _read_topics(root / "topics.yaml", dataset.problems, origins)
    dataset.synonyms = read_synonyms(root / SYNONYMS_FILE, dataset.problems)
    dataset.release = _read_release(root / RELEASE_FILE, dataset.problems)
    dataset.url_hosts = _read_url_hosts(root / URL_HOSTS_FILE, dataset.problems)
    hosts = {entry.host for entry in dataset.url_hosts}
    sources = (_read_source(path, dataset.problems, hosts, origins) for path in _yaml_files(root / "sources"))
    dataset.sources = [source for source in sources if source]
    claims = (_read_claim(path, dataset.problems, origins) for path in _yaml_files(root / "claims"))
    dataset.claims = [claim for claim in claims if claim]
    check_references(dataset, origins)
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


def _read_topics(path: Path, problems: list[Problem], origins: Origins) -> list[TopicIn]:
    raw = _load_yaml(path, problems) if path.is_file() else None
    if not isinstance(raw, list):
        problems.append(Problem(str(path), "-", "expected a list of topics"))
        return []
    where = Where(str(path))
    for entry in raw:
        origins.add("topic", item_id(entry), where)
    topics = [validate(TopicIn, entry, where, item_id(entry), problems) for entry in raw]
    return [topic for topic in topics if topic]


def _read_release(path: Path, problems: list[Problem]) -> ReleaseIn | None:
    if not path.is_file():
        problems.append(Problem(str(path), "-", "missing: name this edition of the dataset with `label: ...`"))
        return None
    return validate(ReleaseIn, _load_yaml(path, problems), Where(str(path)), "release", problems)


def _read_url_hosts(path: Path, problems: list[Problem]) -> list[UrlHost]:
    raw = _load_yaml(path, problems) if path.is_file() else None
    if not isinstance(raw, list):
        problems.append(Problem(str(path), "-", "expected a list of {host, why}: the hosts of canonical records"))
        return []
    hosts = [validate(UrlHost, entry, Where(str(path)), item_id(entry, key="host"), problems) for entry in raw]
    return [host for host in hosts if host]


def _read_source(path: Path, problems: list[Problem], hosts: set[str], origins: Origins) -> SourceIn | None:
    raw = _load_yaml(path, problems)
    if not isinstance(raw, dict):
        problems.append(Problem(str(path), "-", "expected a mapping of source fields"))
        return None
    item, where = item_id(raw), Where(str(path))
    origins.add("source", item, where)
    text_file = raw.pop("text_file", None)
    expected_sha = raw.pop("text_sha256", None)
    if text_file is not None:
        text_path = path.parent / str(text_file)
        try:
            data = text_path.read_bytes()
            raw["text"] = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem.at(where, item, f"cannot read {text_path.name}: {error}", ("text_file",)))
            return None
        actual_sha = hashlib.sha256(data).hexdigest()
        if expected_sha is not None and expected_sha != actual_sha:
            problems.append(Problem.at(where, item, f"{text_path.name} hashes to {actual_sha}", ("text_sha256",)))
    elif expected_sha is not None:
        problems.append(Problem.at(where, item, "given without a text_file", ("text_sha256",)))
    source = validate(SourceIn, raw, where, item, problems)
    _check_file_name(path, source, problems)
    if source is not None and source.kind != SourceKind.material:
        link = link_problem(url=source.url, doi=source.doi, allowed_hosts=hosts)
        if link:
            problems.append(Problem(str(path), item, link))
    return source


def _read_claim(path: Path, problems: list[Problem], origins: Origins) -> ClaimIn | None:
    raw = _load_yaml(path, problems)
    if not isinstance(raw, dict):
        problems.append(Problem(str(path), "-", "expected a mapping of claim fields"))
        return None
    where = Where(str(path))
    origins.add("claim", item_id(raw), where)
    claim = validate(ClaimIn, raw, where, item_id(raw), problems)
    _check_file_name(path, claim, problems)
    if claim is not None:
        check_review_date(where, claim, problems)
    origins.claims.append(claim_refs(raw, claim, where))
    return claim


def _check_file_name(path: Path, record: SourceIn | ClaimIn | None, problems: list[Problem]) -> None:
    if record is not None and record.id != path.stem:
        problems.append(Problem(str(path), record.id, f"id must equal the file name '{path.stem}'", field=("id",)))

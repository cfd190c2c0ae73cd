"""One CSL-JSON record per source: the single input of every reference format we serve."""

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from app.domain.citations import source_link

CSL_TYPES = {
    "material": "webpage",
    "journal-article": "article-journal",
    "review": "article-journal",
    "meta-analysis": "article-journal",
    "trial": "article-journal",
    "regulatory": "report",
    "drug-label": "document",
    "web-page": "webpage",
}
# Documents an organisation issues without naming people: the publisher stands as group author.
_GROUP_AUTHORED = {"regulatory", "drug-label", "web-page"}
_INITIALS = re.compile(r"^[A-Z]{1,3}$")
_SUFFIXES = {"Jr", "Sr", "II", "III", "IV"}


def csl_item(source: Mapping[str, Any]) -> dict[str, Any]:
    """The CSL-JSON item of a source record (a row or a dict with the Source fields)."""
    item: dict[str, Any] = {"id": source["id"], "type": CSL_TYPES.get(source["kind"], "document")}
    authors = [_name(author) for author in source.get("authors") or []]
    if not authors and source["kind"] in _GROUP_AUTHORED and source.get("publisher"):
        authors = [{"literal": source["publisher"]}]
    if authors:
        item["author"] = authors
    plain = {
        "title": "title",
        "container-title": "container_title",
        "publisher": "publisher",
        "volume": "volume",
        "issue": "issue",
        "page": "pages",
        "DOI": "doi",
        "PMID": "pmid",
    }
    item.update({key: source[field] for key, field in plain.items() if source.get(field)})
    link = source_link(source)
    if link:
        item["URL"] = link
    if source.get("issued"):
        item["issued"] = {"date-parts": [[int(part) for part in str(source["issued"]).split("-")]]}
    if source.get("accessed"):
        accessed = source["accessed"]
        day = accessed if isinstance(accessed, dt.date) else dt.date.fromisoformat(str(accessed))
        item["accessed"] = {"date-parts": [[day.year, day.month, day.day]]}
    return item


def _name(author: Mapping[str, Any]) -> dict[str, str]:
    """A person's name; initials as written in MEDLINE ("TG") become "T. G." as CSL expects."""
    name = {"family": author["family"]}
    words = (author.get("given") or "").split()
    if words and words[-1] in _SUFFIXES:
        name["suffix"] = words.pop()
    given = " ".join(". ".join(word) + "." if _INITIALS.match(word) else word for word in words)
    if given:
        name["given"] = given
    return name

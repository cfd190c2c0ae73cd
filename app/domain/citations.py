"""Short, ready-to-paste citation strings and links for a source."""

from collections.abc import Mapping
from typing import Any


def source_link(source: Mapping[str, Any]) -> str | None:
    """The most durable link we hold: DOI, then PubMed, then the page where it was seen."""
    if source.get("doi"):
        return f"https://doi.org/{source['doi']}"
    if source.get("pmid"):
        return f"https://pubmed.ncbi.nlm.nih.gov/{source['pmid']}/"
    return source.get("url")


def short_citation(source: dict[str, Any]) -> str:
    """Vancouver-like: "Rhee TG, et al. JAMA Psychiatry. 2022. doi:10.1001/..."."""
    authors = source.get("authors") or []
    if authors:
        first = authors[0]
        lead = " ".join(part for part in (first.get("family"), first.get("given")) if part)
        parts = [lead + (", et al" if len(authors) > 1 else "")]
        parts.append(source.get("container_title") or source["title"])
    else:
        parts = [source.get("publisher") or source.get("container_title") or "", source["title"]]
    if source.get("issued"):
        parts.append(source["issued"][:4])
    if source.get("doi"):
        parts.append(f"doi:{source['doi']}")
    elif source.get("pmid"):
        parts.append(f"PMID: {source['pmid']}")
    elif source.get("url"):
        parts.append(source["url"])
    return ". ".join(part.rstrip(".") for part in parts if part)

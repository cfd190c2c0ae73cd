"""Links shown to users point to the canonical record of a source."""

from collections.abc import Mapping
from typing import Any


def source_link(source: Mapping[str, Any]) -> str | None:
    """The most durable link we hold: DOI, then PubMed, then the page where it was seen."""
    if source.get("doi"):
        return f"https://doi.org/{source['doi']}"
    if source.get("pmid"):
        return f"https://pubmed.ncbi.nlm.nih.gov/{source['pmid']}/"
    return source.get("url")

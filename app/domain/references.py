"""The reference formats a source can be had in, each with its media type, all from one CSL-JSON item."""

from enum import StrEnum
from typing import Any

import orjson

from app.domain.bibtex import bibtex_entry
from app.domain.ris import ris_record
from app.domain.styles import Style, render


class ReferenceFormat(StrEnum):
    apa = "apa"
    vancouver = "vancouver"
    bibtex = "bibtex"
    ris = "ris"
    csl_json = "csl-json"


CSL_JSON_MEDIA_TYPE = "application/vnd.citationstyles.csl+json"
BIBTEX_MEDIA_TYPE = "application/x-bibtex"
RIS_MEDIA_TYPE = "application/x-research-info-systems"
MEDIA_TYPES = {
    ReferenceFormat.apa: "text/plain; charset=utf-8",
    ReferenceFormat.vancouver: "text/plain; charset=utf-8",
    ReferenceFormat.bibtex: f"{BIBTEX_MEDIA_TYPE}; charset=utf-8",
    ReferenceFormat.ris: f"{RIS_MEDIA_TYPE}; charset=utf-8",
    ReferenceFormat.csl_json: CSL_JSON_MEDIA_TYPE,
}


def write_reference(item: dict[str, Any], reference_format: ReferenceFormat) -> str:
    """One source's reference; a formatted style ends without a newline, the tagged formats with one."""
    match reference_format:
        case ReferenceFormat.bibtex:
            return bibtex_entry(item)
        case ReferenceFormat.ris:
            return ris_record(item)
        case ReferenceFormat.csl_json:
            return orjson.dumps(item).decode()
        case _:
            return render(item, Style(reference_format.value))

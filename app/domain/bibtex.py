"""BibTeX entries written from CSL-JSON items, for LaTeX users and reference managers."""

from typing import Any

_ENTRY_TYPES = {"article-journal": "article", "report": "techreport"}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_entry(item: dict[str, Any]) -> str:
    """One entry keyed by the source id; text is UTF-8 with LaTeX's special characters escaped."""
    entry_type = _ENTRY_TYPES.get(item["type"], "misc")
    container = {"article": "journal", "techreport": "type"}.get(entry_type, "howpublished")
    fields: list[tuple[str, str]] = []
    if item.get("author"):
        fields.append(("author", " and ".join(_name(name) for name in item["author"])))
    fields += [
        (key, _escape(str(item[variable])))
        for key, variable in (("title", "title"), (container, "container-title"))
        if item.get(variable)
    ]
    publisher_field = "institution" if entry_type == "techreport" else "publisher"
    if item.get("publisher") and entry_type != "article":
        fields.append((publisher_field, _escape(item["publisher"])))
    date = item.get("issued", {}).get("date-parts", [[]])[0]
    if date:
        fields.append(("year", str(date[0])))
    if len(date) > 1:
        fields.append(("month", _MONTHS[date[1] - 1]))
    fields += [
        (key, _escape(str(item[variable])))
        for key, variable in (("volume", "volume"), ("number", "issue"))
        if item.get(variable)
    ]
    if item.get("page"):
        fields.append(("pages", _escape(str(item["page"]).replace("-", "--"))))
    fields += [(key, str(item[variable])) for key, variable in (("doi", "DOI"), ("pmid", "PMID")) if item.get(variable)]
    if item.get("URL"):
        fields.append(("url", item["URL"]))
    accessed = item.get("accessed", {}).get("date-parts", [[]])[0]
    if len(accessed) == 3:
        fields.append(("urldate", "{:04d}-{:02d}-{:02d}".format(*accessed)))
    body = ",\n".join(f"  {key} = {value}" if key == "month" else f"  {key} = {{{value}}}" for key, value in fields)
    return f"@{entry_type}{{{item['id']},\n{body}\n}}\n"


def _name(name: dict[str, str]) -> str:
    """ "Family, Given" (with "Jr" in its own part); an organisation braced so it stays whole."""
    if "literal" in name:
        return "{" + _escape(name["literal"]) + "}"
    parts = [name["family"], name.get("suffix"), name.get("given")]
    return ", ".join(_escape(part) for part in parts if part)


def _escape(text: str) -> str:
    return "".join(_SPECIAL.get(char, char) for char in text)

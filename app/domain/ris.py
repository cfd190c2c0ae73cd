"""RIS records written from CSL-JSON items, the tagged format EndNote, Zotero and Mendeley import."""

from typing import Any

_RECORD_TYPES = {"article-journal": "JOUR", "report": "RPRT", "webpage": "ELEC"}


def ris_record(item: dict[str, Any]) -> str:
    """One record, ending in ER; every value on a single line."""
    lines = [("TY", _RECORD_TYPES.get(item["type"], "GEN")), ("ID", item["id"])]
    lines += [("AU", _name(name)) for name in item.get("author", [])]
    lines += [
        (tag, item[variable]) for tag, variable in (("TI", "title"), ("T2", "container-title")) if variable in item
    ]
    date = item.get("issued", {}).get("date-parts", [[]])[0]
    if date:
        lines.append(("PY", str(date[0])))
        parts = [f"{date[0]:04d}", *(f"{part:02d}" for part in date[1:])]
        lines.append(("DA", "/".join(parts + [""] * (3 - len(parts))) + "/"))
    lines += [(tag, item[variable]) for tag, variable in (("VL", "volume"), ("IS", "issue")) if variable in item]
    if "page" in item:
        start, _, end = str(item["page"]).partition("-")
        lines.append(("SP", start))
        if end:
            lines.append(("EP", end))
    lines += [
        (tag, item[variable])
        for tag, variable in (("PB", "publisher"), ("DO", "DOI"), ("AN", "PMID"), ("UR", "URL"))
        if variable in item
    ]
    accessed = item.get("accessed", {}).get("date-parts", [[]])[0]
    if len(accessed) == 3:
        lines.append(("Y2", "{:04d}/{:02d}/{:02d}".format(*accessed)))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {_one_line(str(value))}\n" for tag, value in lines)


def _name(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    return ", ".join(part for part in (name["family"], name.get("given"), name.get("suffix")) if part)


def _one_line(text: str) -> str:
    return " ".join(text.split())

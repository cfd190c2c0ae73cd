"""The rules `evidence check` applies to data files, applied to one record against the database."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlmodel import Session, col

from app.errors import InvalidData
from app.models.claim import Citation, CitationIn, ClaimIn, Locator, Relation
from app.models.source import Source, SourceIn
from app.models.topic import Topic
from app.records import citation_problem, literature_problem

FieldErrors = list[dict[str, Any]]
M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: Any, *, where: str) -> M:
    """`data` as `model`, or a 422 naming every field at fault under `where` (e.g. body)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors: FieldErrors = [{"loc": [where, *detail["loc"]], "msg": detail["msg"]} for detail in error.errors()]
        raise InvalidData(_summary(errors), errors) from None


def check_claim(*, session: Session, claim_in: ClaimIn, where: str = "body") -> None:
    """Known topic, known sources, quotes verbatim at their offsets (filled in when missing) and, for a vetted
    claim, literature beyond the material: a 422 lists every problem."""
    errors: FieldErrors = []
    if session.get(Topic, claim_in.topic) is None:
        errors.append({"loc": [where, "topic"], "msg": f"unknown topic '{claim_in.topic}'; see /v1/topics"})
    cited = {citation.source_id for citation in claim_in.citations}
    sources = {s.id: s for s in session.exec(select(Source).where(col(Source.id).in_(cited))).scalars()}  # type: ignore[call-overload]
    for index, citation in enumerate(claim_in.citations):
        found = citation_problem(citation, sources.get(citation.source_id))
        if found:
            errors.append({"loc": [where, "citations", index, found[0]], "msg": found[1]})
    message = literature_problem(claim_in, sources)
    if message:
        errors.append({"loc": [where, "citations"], "msg": message})
    if errors:
        raise InvalidData(_summary(errors), errors)


def check_source_edit(*, session: Session, source_in: SourceIn, where: str = "body") -> None:
    """A source edit must leave every citation of it valid (its quotes still at their offsets)."""
    errors: FieldErrors = []
    citing = session.exec(  # type: ignore[call-overload]
        select(Citation).where(col(Citation.source_id) == source_in.id).order_by(col(Citation.claim_id))
    ).scalars()
    for row in citing:
        locator = Locator(start=row.locator_start, end=row.locator_end) if row.locator_start is not None else None
        citation = CitationIn(
            source_id=row.source_id, relation=Relation(row.relation), quote=row.quote, locator=locator, note=row.note
        )
        found = citation_problem(citation, source_in)
        if found:
            field = "kind" if found[0] == "relation" else "text"
            errors.append(
                {"loc": [where, field], "msg": f"claim '{row.claim_id}', citation {row.position}: {found[1]}"}
            )
    if errors:
        raise InvalidData(_summary(errors), errors)


def _summary(errors: FieldErrors) -> str:
    fields = ", ".join(".".join(str(part) for part in error["loc"]) for error in errors)
    return f"fix these fields: {fields}"

"""/v1/snippets: short, vetted, cited answers for chatbot backends; never an error on user text."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from app.api.deps import EngineDep, RankerDep
from app.api.problems import problem_doc
from app.domain.query import parse_query
from app.domain.synonyms import expand
from app.models.claim import CertaintyLevel, Verdict
from app.models.types import Slug
from app.services.snippets import NOTICE, SnippetQuery, find_snippets

router = APIRouter(prefix="/v1/snippets", tags=["snippets"])


class SnippetSource(BaseModel):
    id: str
    url: str | None


class Snippet(BaseModel):
    claim_id: str
    text: str
    certainty: CertaintyLevel
    confidence_note: str
    verdict: Verdict
    citation: str
    sources: list[SnippetSource]
    score: float | None


class SnippetAnswer(BaseModel):
    query: str | None
    items: list[Snippet]
    notice: str


@router.get("", response_model=SnippetAnswer, responses=problem_doc(422))
def list_snippets(
    request: Request,
    engine: EngineDep,
    ranker: RankerDep,
    q: Annotated[str | None, Query(description="The user's question or keywords, as typed")] = None,
    topic: Annotated[Slug | None, Query(description="Topic id")] = None,
    k: Annotated[int, Query(ge=1, le=20, description="How many snippets at most")] = 5,
    max_chars: Annotated[int, Query(ge=200, le=8000, description="Budget for the summed text")] = 1500,
    min_certainty: CertaintyLevel = CertaintyLevel.low,
) -> SnippetAnswer:
    """Vetted claims only, best first; the texts together never exceed max_chars."""
    search = None if q is None else expand(parse_query(q, strict=False), request.app.state.synonyms)
    wanted = SnippetQuery(search=search, topic=topic, k=k, max_chars=max_chars, min_certainty=min_certainty)
    with engine.connect() as conn:
        items = find_snippets(conn=conn, request=wanted, ranker=ranker)
    return SnippetAnswer.model_validate({"query": q, "items": items, "notice": NOTICE})

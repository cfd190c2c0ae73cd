"""/v1/snippets: short, vetted, cited answers for chatbot backends; never an error on user text."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import EngineDep, RankerDep, SettingsDep
from app.api.problems import problem_doc
from app.db import connected
from app.domain.query import MAX_QUERY_CHARS
from app.models.claim import CertaintyLevel
from app.models.snippet import SnippetAnswer
from app.models.types import Slug
from app.services.snippets import SnippetQuery, find_snippets

router = APIRouter(prefix="/v1/snippets", tags=["snippets"])


@router.get("", response_model=SnippetAnswer, responses=problem_doc(422))
def list_snippets(
    engine: EngineDep,
    settings: SettingsDep,
    ranker: RankerDep,
    q: Annotated[str, Query(description="The user's question or keywords, as typed (required)")],
    topic: Annotated[Slug | None, Query(description="Topic id")] = None,
    k: Annotated[int, Query(ge=1, le=20, description="How many snippets at most")] = 5,
    max_chars: Annotated[int, Query(ge=200, le=8000, description="Budget for the summed text")] = 1500,
    min_certainty: Annotated[
        CertaintyLevel, Query(description="Leave out claims whose evidence is less certain (high > ... > very_low)")
    ] = CertaintyLevel.low,
    min_score: Annotated[
        float | None, Query(ge=0, le=1, description="Be stricter than the service's relevance floor (0 to 1)")
    ] = None,
) -> SnippetAnswer:
    """Vetted claims relevant to the question, best first, within max_chars; none when the dataset has no evidence."""
    wanted = SnippetQuery(
        question=q[:MAX_QUERY_CHARS],
        topic=topic,
        k=k,
        max_chars=max_chars,
        min_certainty=min_certainty,
        min_score=max(ranker.floor(settings), min_score or 0.0),
    )
    with connected(engine) as conn:
        answer = find_snippets(conn=conn, request=wanted, ranker=ranker)
    return SnippetAnswer.model_validate(
        {
            "query": q,
            "items": answer.items,
            "hidden_by_min_certainty": answer.hidden_by_min_certainty,
            "notice": answer.notice,
        }
    )

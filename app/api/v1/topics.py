"""/v1/topics: the browsing axes of the dataset."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from app.api.deps import Cursor, CursorSecretDep, EngineDep, Limit, SettingsDep
from app.api.paging import Envelope, envelope_response, page_request
from app.api.problems import problem_doc
from app.db import connected
from app.models.topic import TopicPublic
from app.models.types import SLUG_PATTERN
from app.services import topics

router = APIRouter(prefix="/v1/topics", tags=["topics"])

TopicId = Annotated[str, Path(pattern=SLUG_PATTERN, description="Topic slug, e.g. `mechanism`")]


@router.get("", response_model=Envelope[TopicPublic], responses=problem_doc(400, 422))
def list_topics(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    secret: CursorSecretDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Every topic in display order, with its number of vetted claims."""
    with connected(engine) as conn:
        page = topics.list_topics(conn=conn, page=page_request(request, secret, limit=limit, cursor=cursor))
    return envelope_response(request, settings, page, (topics.to_public(row).model_dump_json() for row in page.rows))


@router.get("/{topic_id}", response_model=TopicPublic, responses=problem_doc(404, 422))
def read_topic(topic_id: TopicId, engine: EngineDep) -> TopicPublic:
    with connected(engine) as conn:
        return topics.read_topic(conn=conn, topic_id=topic_id)

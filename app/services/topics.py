"""Reading topics with the number of vetted claims under each."""

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from app.errors import NotFound
from app.models.claim import Claim, ClaimStatus
from app.models.topic import Topic, TopicPublic
from app.services.paging import Page, PageRequest, SortKey, fetch_page, int_key

_KEYS = [SortKey(Topic.position, from_json=int_key), SortKey(Topic.id)]  # type: ignore[arg-type]


def _with_counts() -> Any:
    vetted = and_(Claim.topic_id == Topic.id, Claim.status == ClaimStatus.vetted.value)
    return (
        select(Topic.id, Topic.label, Topic.description, func.count(Claim.id).label("claim_count"))  # type: ignore[arg-type]
        .outerjoin(Claim, vetted)
        .group_by(Topic.id, Topic.label, Topic.description, Topic.position)
    )


def to_public(row: Any) -> TopicPublic:
    return TopicPublic(id=row.id, label=row.label, description=row.description, claim_count=row.claim_count)


def list_topics(*, conn: Connection, page: PageRequest) -> Page:
    query = _with_counts().add_columns(Topic.position, Topic.id.label("sort_id"))  # type: ignore[attr-defined]
    return fetch_page(conn, query, _KEYS, page)


def read_topic(*, conn: Connection, topic_id: str) -> TopicPublic:
    row = conn.execute(_with_counts().where(Topic.id == topic_id)).first()
    if row is None:
        raise NotFound(f"no topic has id '{topic_id}'; list them at /v1/topics")
    return to_public(row)

"""Reading topics with the number of vetted claims under each."""

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from app.errors import NotFound
from app.models.claim import Claim, ClaimStatus
from app.models.topic import Topic, TopicPublic
from app.services.paging import Page, PageRequest, SortKey, fetch_page, int_key

_KEYS = [SortKey(col(Topic.position), from_json=int_key), SortKey(col(Topic.id))]


def _with_counts() -> Any:
    vetted = and_(col(Claim.topic_id) == col(Topic.id), col(Claim.status) == ClaimStatus.vetted.value)
    return (
        select(col(Topic.id), col(Topic.label), col(Topic.description), func.count(col(Claim.id)).label("claim_count"))
        .outerjoin(Claim, vetted)
        .group_by(col(Topic.id), col(Topic.label), col(Topic.description), col(Topic.position))
    )


def to_public(row: Any) -> TopicPublic:
    return TopicPublic(id=row.id, label=row.label, description=row.description, claim_count=row.claim_count)


def list_topics(*, conn: Connection, page: PageRequest) -> Page:
    query = _with_counts().add_columns(col(Topic.position), col(Topic.id).label("sort_id"))
    return fetch_page(conn, query, _KEYS, page)


def all_topics(*, conn: Connection) -> list[TopicPublic]:
    """Every topic in display order, with its vetted claim count."""
    return [to_public(row) for row in conn.execute(_with_counts().order_by(col(Topic.position)))]


def read_topic(*, conn: Connection, topic_id: str) -> TopicPublic:
    row = conn.execute(_with_counts().where(col(Topic.id) == topic_id)).first()
    if row is None:
        raise NotFound(f"no topic has id '{topic_id}'; list them at /v1/topics")
    return to_public(row)

"""Topics group claims for browsing (mechanism, efficacy, access...)."""

from pydantic import BaseModel, ConfigDict
from sqlmodel import Field, SQLModel

from app.models.types import Slug, Text


class TopicIn(BaseModel):
    """A topic as written in data/topics.yaml."""

    model_config = ConfigDict(extra="forbid")

    id: Slug
    label: Text
    description: Text


class Topic(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=81)
    label: str
    description: str
    position: int = Field(default=0, description="Display order")


class TopicPublic(TopicIn):
    claim_count: int

"""The dataset as a whole: its release label, link rules and what /v1/meta reports."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic import Field as PydanticField

from app.models.types import Text

Host = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")]


class ReleaseIn(BaseModel):
    """data/release.yaml: the human name of this edition of the dataset."""

    model_config = ConfigDict(extra="forbid")

    label: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,39}$")]
    notes: Text | None = None


class UrlHost(BaseModel):
    """One entry of data/url-hosts.yaml: a host where canonical records live, and why."""

    model_config = ConfigDict(extra="forbid")

    host: Host
    why: Text


class ClaimCounts(BaseModel):
    vetted: int
    draft: int
    retracted: int


class DatasetMeta(BaseModel):
    """What a client cites as "evidence as of", and compares to detect a change."""

    api_version: str = PydanticField(description="Version of this API")
    dataset_version: str = PydanticField(
        description="SHA-256 over the published content (topics, sources, vetted claims); changes with any of it"
    )
    release: str | None = PydanticField(description="Human label of the loaded dataset release, from data/release.yaml")
    last_reviewed: dt.date | None = PydanticField(description="Most recent review date among vetted claims")
    claims: ClaimCounts = PydanticField(description="Claims per status")
    sources: int
    topics: int

"""Claims of the material, each weighed against the literature and graded."""

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.source import SourceRef
from app.models.types import MAX_CITATIONS, MAX_TAGS, Line, Note, Slug, Tag, Text, Timestamp, UtcDateTime

SNIPPET_MAX_CHARS = 400


class Verdict(StrEnum):
    supported = "supported"
    partly_supported = "partly-supported"
    contradicted = "contradicted"
    unsupported = "unsupported"
    misleading = "misleading"


class CertaintyLevel(StrEnum):
    high = "high"
    moderate = "moderate"
    low = "low"
    very_low = "very_low"

    @property
    def rank(self) -> int:
        """GRADE order as a number, so SQL can filter and sort by it."""
        return CERTAINTY_RANK[self]


CERTAINTY_RANK = {
    CertaintyLevel.high: 4,
    CertaintyLevel.moderate: 3,
    CertaintyLevel.low: 2,
    CertaintyLevel.very_low: 1,
}


class Downgrade(StrEnum):
    risk_of_bias = "risk_of_bias"
    inconsistency = "inconsistency"
    indirectness = "indirectness"
    imprecision = "imprecision"
    publication_bias = "publication_bias"


class Relation(StrEnum):
    states = "states"
    supports = "supports"
    qualifies = "qualifies"
    contradicts = "contradicts"


class ClaimStatus(StrEnum):
    draft = "draft"
    vetted = "vetted"
    retracted = "retracted"


class Certainty(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: CertaintyLevel
    note: Text
    downgrades: list[Downgrade] = []

    @model_validator(mode="after")
    def distinct_downgrades(self) -> "Certainty":
        if len(set(self.downgrades)) != len(self.downgrades):
            raise ValueError("downgrades must not repeat")
        return self


class Pico(BaseModel):
    model_config = ConfigDict(extra="forbid")

    population: Text
    intervention: Text
    comparator: Text
    outcome: Text


class Locator(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: int = PydanticField(ge=0)
    end: int = PydanticField(ge=0)

    @model_validator(mode="after")
    def ordered(self) -> "Locator":
        if self.end <= self.start:
            raise ValueError("end must be greater than start")
        return self


class CitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_id: Slug
    relation: Relation
    quote: Annotated[str, PydanticField(max_length=4000)] | None = None
    locator: Locator | None = None
    note: Text

    @model_validator(mode="after")
    def quoted_when_stated(self) -> "CitationIn":
        if self.relation == Relation.states and not self.quote:
            raise ValueError("a 'states' citation needs the quote it rests on")
        if self.locator is not None and self.quote is None:
            raise ValueError("a locator needs the quote it locates")
        return self


class CitationPublic(CitationIn):
    source: SourceRef | None = None


class ClaimFields(BaseModel):
    """What a curator writes; checked the same way in data files and the API."""

    model_config = ConfigDict(extra="forbid")

    id: Slug
    topic: Slug
    tags: Annotated[list[Tag], PydanticField(max_length=MAX_TAGS)] = []
    statement: Line
    assessment: Text
    verdict: Verdict
    certainty: Certainty
    pico: Pico | None = None
    snippet: Annotated[str, PydanticField(min_length=1, max_length=SNIPPET_MAX_CHARS)]
    citations: list[CitationIn] = PydanticField(min_length=1, max_length=MAX_CITATIONS)

    @model_validator(mode="after")
    def cited_enough(self) -> "ClaimFields":
        relations = [citation.relation for citation in self.citations]
        if Relation.states not in relations:
            raise ValueError("a claim needs a 'states' citation into the material")
        if self.verdict != Verdict.unsupported and relations.count(Relation.states) == len(relations):
            raise ValueError("a claim with a verdict other than 'unsupported' must cite literature")
        return self


class ClaimIn(ClaimFields):
    status: ClaimStatus = ClaimStatus.draft
    reviewed: dt.date | None = PydanticField(
        default=None, description="When a reviewer last checked the claim against its sources"
    )


class ClaimDraft(ClaimFields):
    """A new claim as sent to POST /v1/claims: always created as a draft."""

    note: Note | None = PydanticField(default=None, description="Why: kept with the revision, not in the claim")


class ReviewAction(StrEnum):
    vet = "vet"
    retract = "retract"
    reopen = "reopen"


class Review(BaseModel):
    """A reviewer's decision on a claim."""

    model_config = ConfigDict(extra="forbid")

    action: ReviewAction
    note: Note | None = PydanticField(default=None, description="Why: kept with the revision")


class ClaimPublic(ClaimFields):
    status: ClaimStatus
    version: int
    created_at: Timestamp
    updated_at: Timestamp
    reviewed_at: Timestamp | None


class SearchMatch(BaseModel):
    fragment: str = PydanticField(description="Where the claim matched, matched words in <mark></mark>")


class ClaimHit(ClaimPublic):
    """A claim in a list; with a search, `match` says where it matched."""

    match: SearchMatch | None = None


class FacetCount(BaseModel):
    value: str
    label: str
    count: int


class ClaimList(BaseModel):
    items: list[ClaimHit]
    next_cursor: str | None
    total: int
    facets: dict[str, list[FacetCount]] | None = PydanticField(default=None, description="Only when facets= is given")


class ClaimDetail(ClaimPublic):
    """One claim with each cited source expanded enough to render it."""

    citations: list[CitationPublic]  # type: ignore[assignment]


class RevisionPublic(BaseModel):
    version: int
    changed_at: Timestamp
    changed_by: str
    note: str | None
    claim: dict[str, Any]


class Claim(SQLModel, table=True):
    # Covering: lists and filters are answered from these alone, never from the wide rows (0007).
    __table_args__ = (
        Index("ix_claim_list_by_id", "status", "id", "topic_id", "verdict", "certainty_rank"),
        Index("ix_claim_list_by_topic", "status", "topic_id", "id", "verdict", "certainty_rank"),
        Index("ix_claim_list_by_updated", "status", "updated_at", "id", "topic_id", "verdict", "certainty_rank"),
        Index("ix_claim_list_by_certainty", "status", "certainty_rank", "id", "topic_id", "verdict"),
        Index("ix_claim_id_filters", "id", "status", "topic_id", "verdict", "certainty_rank"),
    )

    id: str = Field(primary_key=True, max_length=81)
    topic_id: str = Field(foreign_key="topic.id", index=True, max_length=81)
    statement: str
    assessment: str
    verdict: str = Field(max_length=20)
    certainty_level: str = Field(max_length=10)
    certainty_rank: int
    certainty_note: str
    certainty_downgrades: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pico: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    snippet: str
    status: str = Field(max_length=10)
    version: int = 1
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)
    reviewed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    content_sha256: str = Field(max_length=64, description="Detects real change on reload")
    document: str = Field(description="The ClaimPublic JSON, rendered on write for fast reads")
    edited_by: str | None = Field(default=None, max_length=100, description="Who last changed what it says")


class ClaimTag(SQLModel, table=True):
    __tablename__ = "claim_tag"

    claim_id: str = Field(foreign_key="claim.id", primary_key=True, ondelete="CASCADE", max_length=81)
    tag: str = Field(primary_key=True, index=True, max_length=41)


class Citation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("claim_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(foreign_key="claim.id", index=True, ondelete="CASCADE", max_length=81)
    position: int
    source_id: str = Field(foreign_key="source.id", index=True, max_length=81)
    relation: str = Field(max_length=12)
    quote: str | None = None
    locator_start: int | None = None
    locator_end: int | None = None
    note: str


class ClaimRevision(SQLModel, table=True):
    __tablename__ = "claim_revision"
    __table_args__ = (UniqueConstraint("claim_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(foreign_key="claim.id", index=True, ondelete="CASCADE", max_length=81)
    version: int
    changed_at: dt.datetime = Field(sa_type=UtcDateTime)
    changed_by: str = Field(max_length=100)
    note: str | None = None
    snapshot: str | None = Field(
        default=None,
        description="The ClaimPublic JSON of this version; NULL while it is current, as the claim row holds it",
    )

"""Sources: the material under review and the literature that weighs its claims."""

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import MAX_AUTHORS, MAX_SOURCE_TEXT, Line, Note, Short, Slug, Text, Timestamp, UtcDateTime

Issued = Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
Doi = Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$", max_length=300)]
Pmid = Annotated[str, StringConstraints(pattern=r"^\d{1,9}$")]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]


class SourceKind(StrEnum):
    material = "material"
    journal_article = "journal-article"
    review = "review"
    meta_analysis = "meta-analysis"
    trial = "trial"
    regulatory = "regulatory"
    drug_label = "drug-label"
    web_page = "web-page"


class Rating(StrEnum):
    high = "high"
    moderate = "moderate"
    low = "low"


class Author(BaseModel):
    model_config = ConfigDict(extra="forbid")

    family: Line
    given: Short | None = None


class Reliability(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: Rating
    note: Text


class SourceFields(BaseModel):
    """Bibliographic fields shared by input and output."""

    model_config = ConfigDict(extra="forbid")

    id: Slug
    kind: SourceKind
    title: Line
    container_title: Short | None = None
    publisher: Short | None = None
    authors: Annotated[list[Author], PydanticField(max_length=MAX_AUTHORS)] = []
    issued: Issued | None = None
    volume: Short | None = None
    issue: Short | None = None
    pages: Short | None = None
    doi: Doi | None = None
    pmid: Pmid | None = None
    url: Url | None = None
    accessed: dt.date
    reliability: Reliability
    verified_at: Text

    @model_validator(mode="after")
    def locatable(self) -> "SourceFields":
        """Literature must be findable; the material may be an anonymous page."""
        if self.kind != SourceKind.material and not (self.doi or self.pmid or self.url):
            raise ValueError("a source needs at least one of doi, pmid or url")
        return self


class SourceIn(SourceFields):
    """A source with the exact text we hold of it (null when we hold none)."""

    text: Annotated[str, PydanticField(max_length=MAX_SOURCE_TEXT)] | None = None
    text_seen_at: Short | None = None


class SourceDraft(SourceIn):
    """A new source as sent to POST /v1/sources."""

    note: Note | None = PydanticField(default=None, description="Why: kept with the revision, not in the source")


class SourcePublic(SourceFields):
    citation: str = PydanticField(description="Vancouver reference (NLM Citing Medicine), as /citation?style=vancouver")
    text_sha256: str | None
    text_length: int | None
    text_seen_at: str | None
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class SourceRef(BaseModel):
    """Enough of a source to render a citation beside a claim."""

    id: str
    kind: SourceKind
    title: str
    container_title: str | None
    year: str | None
    doi: str | None
    pmid: str | None
    url: str | None
    citation: str = PydanticField(description="Vancouver reference (NLM Citing Medicine)")


class Source(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=81)
    kind: str = Field(max_length=20)
    title: str
    container_title: str | None = None
    publisher: str | None = None
    authors: list[dict[str, str | None]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    issued: str | None = Field(default=None, max_length=10)
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None
    accessed: dt.date
    reliability_rating: str = Field(max_length=10)
    reliability_note: str
    verified_at: str
    text: str | None = None
    text_sha256: str | None = Field(default=None, max_length=64)
    text_length: int | None = None
    text_seen_at: str | None = None
    citation: str = Field(default="", description="Vancouver reference, rendered on write for fast reads")
    content_sha256: str = Field(max_length=64, description="Detects real change on reload")
    version: int = 1
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)


class SourceRevision(SQLModel, table=True):
    __tablename__ = "source_revision"
    __table_args__ = (UniqueConstraint("source_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(foreign_key="source.id", index=True, ondelete="CASCADE", max_length=81)
    version: int
    changed_at: dt.datetime = Field(sa_type=UtcDateTime)
    changed_by: str = Field(max_length=100)
    note: str | None = None
    snapshot: str = Field(description="The SourceIn JSON of this version, text included")

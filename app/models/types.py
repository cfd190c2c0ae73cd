"""Field types shared by every resource."""

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import PlainSerializer, StringConstraints
from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,80}$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9 .+-]{0,40}$")]
# Limits generous to real records (the longest bundled note is under 1,000 characters) but bounded,
# so one request cannot store an essay in a title or a thousand tags.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Short = Annotated[str, StringConstraints(max_length=500)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
MAX_TAGS, MAX_CITATIONS, MAX_AUTHORS = 20, 50, 1000
MAX_SOURCE_TEXT = 1_000_000


def now_utc() -> datetime:
    """UTC to the whole second: identical on SQLite and PostgreSQL, exact in cursors."""
    return datetime.now(UTC).replace(microsecond=0)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 with a Z, the one timestamp form the API speaks."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


Timestamp = Annotated[datetime, PlainSerializer(iso_utc, return_type=str)]


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp column that is timezone-aware on both engines, whatever the process's TZ.

    PostgreSQL stores timestamptz; SQLite stores UTC digits and hands back naive values, which
    Python would otherwise read as local time. Naive values are refused on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime cannot be stored: {value.isoformat()}")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

"""Field types shared by every resource."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import PlainSerializer, StringConstraints

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,80}$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9 .+-]{0,40}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def now_utc() -> datetime:
    """UTC to the whole second: identical on SQLite and PostgreSQL, exact in cursors."""
    return datetime.now(UTC).replace(microsecond=0)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 with a Z, the one timestamp form the API speaks."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


Timestamp = Annotated[datetime, PlainSerializer(iso_utc, return_type=str)]

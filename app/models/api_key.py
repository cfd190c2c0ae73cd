"""API keys: only a hash of each key is stored; the key itself is shown once, at creation."""

import datetime as dt
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.types import UtcDateTime

KEY_NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}"


class KeyScope(StrEnum):
    """What a key may do; each scope includes every scope listed before it."""

    read_drafts = "read-drafts"
    curate = "curate"
    review = "review"
    admin = "admin"

    def allows(self, needed: "KeyScope") -> bool:
        return _ORDER.index(self) >= _ORDER.index(needed)


_ORDER = list(KeyScope)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=64, description="Who acts: recorded in every revision")
    scope: str = Field(max_length=12)
    key_sha256: str = Field(unique=True, max_length=64, description="SHA-256 of the key; the key is never stored")
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    last_used_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)

"""API keys: issue, list, revoke, and recognise the key behind a request."""

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.errors import AlreadyExists, InsufficientScope, InvalidKey, NotFound
from app.models.api_key import ApiKey, KeyScope
from app.models.types import now_utc

KEY_PREFIX = "ev_"
# Recording every use would make each authenticated read a write; once a minute is enough to audit.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is acting, and what they may do."""

    name: str
    scope: KeyScope

    def require(self, needed: KeyScope) -> "Principal":
        if not self.scope.allows(needed):
            raise InsufficientScope(f"key '{self.name}' has scope '{self.scope}'; this needs '{needed}' or above")
        return self


def key_digest(key: str) -> str:
    """Keys carry 256 random bits, so a fast hash is as safe as a slow one and costs nothing per request."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(*, session: Session, name: str, scope: KeyScope) -> str:
    """Store a new key's hash and return the key itself, which is never seen again."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(name=name, scope=scope.value, key_sha256=key_digest(key), created_at=now_utc()))
    try:
        session.flush()
    except IntegrityError:
        raise AlreadyExists(f"a key named '{name}' exists; pick another name (revoked names stay taken)") from None
    return key


def list_keys(*, session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(col(ApiKey.name))))


def revoke_key(*, session: Session, name: str) -> None:
    key = session.scalars(select(ApiKey).where(col(ApiKey.name) == name)).first()
    if key is None:
        raise NotFound(f"no key is named '{name}'; `evidence keys list` shows them")
    if key.revoked_at is None:
        key.revoked_at = now_utc()


def live_key_digests(engine: Engine) -> frozenset[str]:
    """The hashes of the keys not revoked: rate limiting tells the keys we issued from made-up ones by them."""
    with engine.connect() as conn:
        return frozenset(conn.scalars(select(col(ApiKey.key_sha256)).where(col(ApiKey.revoked_at).is_(None))))


def authenticate(*, engine: Engine, key: str) -> Principal:
    """The principal behind a presented key; the stored hash is compared in constant time."""
    digest = key_digest(key)
    with engine.connect() as conn:
        row = conn.execute(
            select(col(ApiKey.name), col(ApiKey.scope), col(ApiKey.key_sha256), col(ApiKey.last_used_at)).where(
                col(ApiKey.key_sha256) == digest, col(ApiKey.revoked_at).is_(None)
            )
        ).first()
    if row is None or not hmac.compare_digest(row.key_sha256, digest):
        raise InvalidKey("the API key is unknown or revoked; ask an admin for a key (`evidence keys create`)")
    now = now_utc()
    if row.last_used_at is None or _utc(row.last_used_at) < now - LAST_USED_PRECISION:
        with engine.begin() as conn:
            conn.execute(update(ApiKey).where(col(ApiKey.name) == row.name).values(last_used_at=now))
    return Principal(name=row.name, scope=KeyScope(row.scope))


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)

"""Who a request counts against: the API key it presents when it is one we issued, else its client address."""

import logging
import math
import time

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from app.services.keys import key_digest, live_key_digests

logger = logging.getLogger("app.rate_limits")

KEYS_MAX_AGE = 30.0  # seconds the live keys are trusted as read
KEYS_MISS_AGE = 1.0  # ...or, when a request presents a key not among them, this


class KnownKeys:
    """The digests of live keys, read again in the thread pool when they are older than they may be.

    Only a key we issued earns a bucket of its own: otherwise a made-up key in each request
    would start a fresh count every time. A new key is known within KEYS_MISS_AGE; made-up keys
    cause at most one read of the (small) key table per KEYS_MISS_AGE per worker.
    """

    def __init__(self) -> None:
        self.digests: frozenset[str] = frozenset()
        self.read_at = -math.inf
        self.reading = False

    async def known(self, engine: Engine, digest: str) -> bool:
        age = time.monotonic() - self.read_at
        stale = age > KEYS_MAX_AGE or (digest not in self.digests and age > KEYS_MISS_AGE)
        if stale and not self.reading:  # one read at a time; meanwhile the last one serves
            self.reading = True
            try:
                self.digests = await run_in_threadpool(live_key_digests, engine)
            except SQLAlchemyError as error:
                logger.warning("could not read the API keys for rate limiting (%s); keeping the last read", error)
            finally:
                self.read_at = time.monotonic()
                self.reading = False
        return digest in self.digests


def bearer_key(scope: Scope) -> str | None:
    """The key of an `Authorization: Bearer <key>` header, else None."""
    header = next((value for name, value in scope["headers"] if name == b"authorization"), None)
    if header is None:
        return None
    scheme, _, key = header.decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return key.strip()


async def caller_of(scope: Scope, keys: KnownKeys) -> tuple[str, bool]:
    """('key:<hash of the key>', True) for a live key, else ('ip:<client address>', False)."""
    key = bearer_key(scope)
    if key is not None:
        digest = key_digest(key)
        if await keys.known(scope["app"].state.engine, digest):
            return f"key:{digest[:32]}", True
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}", False

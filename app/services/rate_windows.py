"""Requests counted per caller in fixed windows aligned to the clock, in Redis or in this process's memory.

Windows aligned to the clock cost one storage call per request: the increment returns the
count, and the reset is the window's end, known without asking. (A moving or sliding window
takes two or more round trips to Redis per request, and a window opened by the first hit a
second one for its expiry.) Every worker and replica sharing Redis agrees on the windows, clocks
being kept in time. The price is the usual one of fixed windows: up to twice the limit can pass
around the edge of a window.
"""

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem
from limits.aio.storage import RedisStorage
from limits.errors import StorageError
from limits.storage import MemoryStorage
from redis.asyncio import ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

logger = logging.getLogger("app.rate_limits")

REDIS_TIMEOUT = 0.5  # seconds; a healthy Redis answers in well under a millisecond
REDIS_PAUSE = 5.0  # seconds counted in memory after Redis failed, before it is tried again


@dataclass(frozen=True, slots=True)
class Window:
    """Where a caller stands after one more request."""

    limit: int
    count: int
    reset: int  # whole seconds until the window ends, at least 1

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


class WindowCounter:
    """Counts in Redis when given its URL, else in memory; in memory too while Redis fails (logged once)."""

    def __init__(self, redis_url: str | None, prefix: str) -> None:
        self.prefix = prefix
        # limits' synchronous memory storage does no I/O, so it is called on the event loop; it sweeps expired
        # counts in a timer thread at most every 10 ms, where its asyncio twin sweeps every key on each request.
        self.memory = MemoryStorage()
        self.redis = self.pool = None
        if redis_url is not None:
            # The client fails fast instead of retrying: while Redis is out, counting goes on in memory.
            self.pool = ConnectionPool.from_url(
                redis_url,
                socket_timeout=REDIS_TIMEOUT,
                socket_connect_timeout=REDIS_TIMEOUT,
                retry=Retry(NoBackoff(), 0),
            )
            self.redis = RedisStorage(
                f"async+{redis_url}",
                wrap_exceptions=True,
                implementation="redispy",
                connection_pool=self.pool,  # type: ignore[arg-type]  # passed on to redis.asyncio.Redis
            )
        self.redis_failing = False
        self.redis_retry_at = 0.0

    async def hit(self, item: RateLimitItem, caller: str) -> Window:
        now = time.time()
        length = item.get_expiry()
        index = int(now // length)
        reset = max(1, math.ceil((index + 1) * length - now))
        count = await self._increment(item.key_for(self.prefix, caller, index), reset)
        return Window(item.amount, count, reset)

    async def _increment(self, key: str, expiry: int) -> int:
        """The count after this request; the key expires with its window."""
        if self.redis is not None and time.monotonic() >= self.redis_retry_at:
            try:
                count = await self.redis.incr(key, expiry)
            except StorageError as error:
                self._failed(error.storage_error)
            else:
                if self.redis_failing:
                    logger.warning("Redis answers again: rate limits are shared by every worker once more")
                    self.redis_failing = False
                return count
        return self.memory.incr(key, expiry)

    def _failed(self, error: Exception) -> None:
        """Fail open, not closed: a Redis outage must not turn every request into an error."""
        if not self.redis_failing:
            logger.warning(
                "Redis is unreachable (%s): each worker counts rate limits in its own memory until it answers;"
                " trying again every %g s",
                error,
                REDIS_PAUSE,
            )
        self.redis_failing = True
        self.redis_retry_at = time.monotonic() + REDIS_PAUSE

    async def check(self) -> None:
        """At start-up: say at once when Redis cannot be reached, rather than at the first request."""
        if self.redis is not None and not await self.redis.check():
            self._failed(ConnectionError("no answer to PING"))

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()

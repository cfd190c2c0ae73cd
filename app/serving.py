"""How `evidence serve` runs uvicorn: bounded, quiet about itself, and strict with slow or oversized requests."""

import asyncio
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.api.metrics import MULTIPROCESS_DIR, clear_samples, multiprocess_dir
from app.config import Settings
from app.logs import log_config

logger = logging.getLogger("app.serving")

# Longer than any URL the app accepts (it answers those with a 414), so the app sees them first.
MAX_REQUEST_HEAD_BYTES = 256 * 1024


@cache
def _header_timeout() -> float:
    """Read once per worker process, which inherits the environment `evidence serve` was given."""
    return Settings().header_timeout


class HeaderDeadline:
    """Closes a connection whose request line and headers take too long (uvicorn has no such limit).

    Mixed into either of uvicorn's HTTP protocols, which share the attributes used here.
    """

    cycle: Any
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self._between_requests():
            self._arm()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)  # type: ignore[misc]
        if not self._between_requests():
            self._disarm()  # the app has the request

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(_header_timeout(), self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            logger.info("closed a connection whose request headers took over %s s", _header_timeout())
            self.transport.close()


class H11WithHeaderDeadline(HeaderDeadline, H11Protocol):
    """Pure-Python parser: request heads up to MAX_REQUEST_HEAD_BYTES reach the app."""


class HttpToolsWithHeaderDeadline(HeaderDeadline, HttpToolsProtocol):
    """C parser: faster, but a request head over about 80 KB gets its own plain-text 400."""


PROTOCOLS = {"h11": H11WithHeaderDeadline, "httptools": HttpToolsWithHeaderDeadline}


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Everything `evidence serve` tells uvicorn besides host, port and workers."""
    return {
        "http": PROTOCOLS[settings.http_parser],
        "h11_max_incomplete_event_size": MAX_REQUEST_HEAD_BYTES,
        # The app answers past limit_concurrency requests with a 503 problem; uvicorn's own, plain 503 guards
        # connections (idle and half-sent ones count) at twice that.
        "limit_concurrency": 2 * settings.limit_concurrency,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "server_header": False,
        "access_log": False,  # the app writes its own, with the request id
        "log_config": log_config(settings.log_format, access=settings.access_log),
    }


@contextmanager
def shared_metrics(workers: int) -> Iterator[None]:
    """Workers sum their metrics through files: in the folder the operator named, else a temporary one."""
    named = multiprocess_dir()
    if named is not None:
        named.mkdir(parents=True, exist_ok=True)
        clear_samples(named)
        yield
    elif workers == 1:
        yield
    else:
        with tempfile.TemporaryDirectory(prefix="evidence-metrics-") as folder:
            os.environ[MULTIPROCESS_DIR] = folder  # read by each worker as it starts
            try:
                yield
            finally:
                del os.environ[MULTIPROCESS_DIR]

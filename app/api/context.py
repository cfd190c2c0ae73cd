"""The outermost layer: a request id for every exchange, safe default headers, one access log line and metrics."""

import logging
import random
import re
import time
from collections.abc import Callable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import send_unexpected_error
from app.logs import request_id

access_log = logging.getLogger("app.access")

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

# Set unless the route chose its own (the docs and explorer pages carry their own policy).
DEFAULT_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


_DEFAULTS_RAW = [(name.lower().encode(), value.encode()) for name, value in DEFAULT_HEADERS.items()]

# Ids need to be unique, not secret. os.urandom releases the GIL, and on a busy worker the event
# loop then waits a whole switch interval to win it back, once per request.
_ids = random.Random()


def incoming_request_id(scope: Scope) -> str:
    """The caller's id when it is a plain token of at most 128 characters, else a new one."""
    given = next((value for name, value in scope["headers"] if name == b"x-request-id"), b"").decode("latin-1")
    return given if _SANE_REQUEST_ID.fullmatch(given) else f"{_ids.getrandbits(128):032x}"


Observer = Callable[[Scope, int, float], None]  # told each exchange's scope, status and seconds


class RequestContext:
    """Pure ASGI middleware, outermost: ids, default headers, the names every response varies on, a weak ETag on
    encoded bodies, the access log, and the time and status of every exchange for `observe` (metrics), measured
    once for both.

    The service's layers sit outside the framework's server-error handler (app.api.framework), so an error
    raised in one of them, before any answer started, is answered here with the same 500 problem.
    """

    def __init__(self, app: ASGIApp, *, observe: Observer, varies_on: Sequence[bytes] = ()) -> None:
        self.app = app
        self.observe = observe
        self.varies_on = tuple(varies_on)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = incoming_request_id(scope)
        request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status: int | None = None

        async def with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = completed_headers(message.get("headers", []), rid.encode(), self.varies_on)
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception as error:
            if status is None:
                await send_unexpected_error(scope, with_headers, error)
            raise
        finally:
            seconds = time.perf_counter() - started
            self.observe(scope, status or 500, seconds)
            if access_log.isEnabledFor(logging.INFO):
                self._log(scope, rid, status or 500, seconds)

    @staticmethod
    def _log(scope: Scope, rid: str, status: int, seconds: float) -> None:
        fields = {
            "request_id": rid,
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
        }
        access_log.info("%s %s %s", scope["method"], scope["path"], status, extra={"fields": fields})


def completed_headers(
    headers: list[tuple[bytes, bytes]], rid: bytes, varies_on: Sequence[bytes] = ()
) -> list[tuple[bytes, bytes]]:
    """A response's headers with the request id and the default headers the route did not set, in one pass
    (this runs on every response): one Vary naming each name once, those the layers added (compression) and
    `varies_on` included, and an ETag made weak where the body is encoded, as other bytes than the identity
    body's tag names."""
    kept: list[tuple[bytes, bytes]] = []
    named: set[bytes] = set()
    varies: dict[bytes, None] = {}
    vary_at = None
    for name, value in headers:
        name = name.lower()
        if name == b"vary":
            varies.update(dict.fromkeys(token for token in (v.strip() for v in value.split(b",")) if token))
            if vary_at is not None:
                continue
            vary_at = len(kept)
        elif name == b"x-request-id":
            continue
        named.add(name)
        kept.append((name, value))
    varies.update(dict.fromkeys(varies_on))
    if vary_at is not None:
        kept[vary_at] = (b"vary", b", ".join(varies))
    elif varies:
        kept.append((b"vary", b", ".join(varies)))
    if b"content-encoding" in named:
        kept = [
            (name, b"W/" + value if name == b"etag" and not value.startswith(b"W/") else value) for name, value in kept
        ]
    kept.append((b"x-request-id", rid))
    kept += [(name, value) for name, value in _DEFAULTS_RAW if name not in named]
    return kept

"""The outermost layer: a request id for every exchange, safe default headers, one access log line and metrics."""

import logging
import random
import re
import time
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


# Ids need to be unique, not secret. os.urandom releases the GIL, and on a busy worker the event
# loop then waits a whole switch interval to win it back, once per request.
_ids = random.Random()


def incoming_request_id(scope: Scope) -> str:
    """The caller's id when it is a plain token of at most 128 characters, else a new one."""
    given = next((value for name, value in scope["headers"] if name == b"x-request-id"), b"").decode("latin-1")
    return given if _SANE_REQUEST_ID.fullmatch(given) else f"{_ids.getrandbits(128):032x}"


Observer = Callable[[Scope, int, float], None]  # told each exchange's scope, status and seconds


class RequestContext:
    """Pure ASGI middleware, outermost: ids, default headers, a weak ETag on encoded bodies, the access log,
    and the time and status of every exchange for `observe` (metrics), measured once for both."""

    def __init__(self, app: ASGIApp, *, observe: Observer) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = incoming_request_id(scope)
        request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500

        async def with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = rid
                for name, value in DEFAULT_HEADERS.items():
                    headers.setdefault(name, value)
                if "vary" in headers:  # layers each add theirs (compression, CORS): name each once
                    headers["Vary"] = ", ".join(dict.fromkeys(v.strip() for v in headers["vary"].split(",")))
                etag = headers.get("etag")
                if etag and not etag.startswith("W/") and "content-encoding" in headers:
                    headers["ETag"] = "W/" + etag  # other bytes than the identity body's tag names
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        finally:
            seconds = time.perf_counter() - started
            self.observe(scope, status, seconds)
            if access_log.isEnabledFor(logging.INFO):
                self._log(scope, rid, status, seconds)

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

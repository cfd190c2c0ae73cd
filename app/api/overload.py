"""A worker past its share of requests in progress says so at once, in the API's own error shape.

uvicorn's own guard (on connections, idle ones included) answers a bare text/plain 503; this
one counts the requests the app is working on and answers a problem with Retry-After, so
clients back off the same way they do for any other 503.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.ops import LIVENESS
from app.api.problems import send_problem

RETRY_AFTER_SECONDS = b"1"


class InFlightLimit:
    """Pure ASGI middleware: at most `limit` requests in progress in this worker; the rest get a 503 problem."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in LIVENESS:
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            detail = f"this worker is answering {self.limit} requests already; retry in a second"
            retry = [(b"retry-after", RETRY_AFTER_SECONDS)]
            await send_problem(send, 503, "server-busy", detail, scope["path"], headers=retry)
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1

"""Every explorer response is a page under a strict Content-Security-Policy, errors included.

The pages need no script, so none may run; styles and images may come only from this origin.
Problems answered before routing (an unknown parameter, a rate limit) leave other layers as
problem+json; under /explore they are shown as the same pages the handlers' problems get.
"""

from typing import Any

import orjson
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM_JSON = b"application/problem+json"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'none'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class PageHeaders:
    """Pure ASGI middleware outside the cache and the request guard, so every page carries the headers."""

    def __init__(self, app: ASGIApp, prefix: str = "/explore") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        problem_start: Message | None = None
        chunks: list[bytes] = []

        async def as_page(message: Message) -> None:
            nonlocal problem_start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").encode() == PROBLEM_JSON and "content-encoding" not in headers:
                    problem_start = message
                    return
                for name, value in PAGE_HEADERS.items():
                    headers[name] = value
            elif problem_start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._send_page(scope, receive, send, problem_start, b"".join(chunks))
                return
            await send(message)

        await self.app(scope, receive, as_page)

    async def _send_page(self, scope: Scope, receive: Receive, send: Send, start: Message, body: bytes) -> None:
        kept = {
            name: value
            for name, value in MutableHeaders(scope=start).items()
            if name not in {"content-type", "content-length"}
        }
        problem: dict[str, Any] = orjson.loads(body)
        page = scope["app"].state.problem_page(Request(scope, receive), problem, kept)
        await page(scope, receive, send)

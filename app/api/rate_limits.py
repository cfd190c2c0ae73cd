"""Rate limits per API key, and per client address without one: 429 past the limit, RateLimit-* on the rest.

Pure ASGI middleware outside the response cache, so cached answers are counted too and the
headers never enter cached bytes or their ETags. Health and metrics probes are not counted.
"""

from limits import RateLimitItem, parse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.callers import KnownKeys, caller_of
from app.api.ops import PROBES
from app.api.problems import send_problem
from app.services.rate_windows import Window, WindowCounter

OFF = "off"


def rate_limit(value: str) -> RateLimitItem | None:
    """'600/minute' -> its item; 'off' -> None (the settings have checked the notation)."""
    return None if value == OFF else parse(value)


def limit_headers(window: Window) -> list[tuple[bytes, bytes]]:
    return [
        (b"ratelimit-limit", str(window.limit).encode()),
        (b"ratelimit-remaining", str(window.remaining).encode()),
        (b"ratelimit-reset", str(window.reset).encode()),
    ]


class RateLimits:
    """Counts each request against its caller's window in `scope['app'].state.rate_counter`."""

    def __init__(self, app: ASGIApp, *, anonymous: RateLimitItem | None, keyed: RateLimitItem | None) -> None:
        self.app = app
        self.anonymous = anonymous
        self.keyed = keyed
        self.keys = KnownKeys()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PROBES:
            await self.app(scope, receive, send)
            return
        caller, has_key = await caller_of(scope, self.keys)
        item = self.keyed if has_key else self.anonymous
        if item is None:
            await self.app(scope, receive, send)
            return
        counter: WindowCounter = scope["app"].state.rate_counter
        window = await counter.hit(item, caller)
        headers = limit_headers(window)
        if window.exceeded:
            who = "this API key" if has_key else "this address without an API key"
            detail = (
                f"too many requests from {who}: at most {item.amount} per {_period(item)}; "
                f"retry in {window.reset} s (Retry-After)" + ("" if has_key else ", or send an API key")
            )
            retry_after = (b"retry-after", str(window.reset).encode())
            await send_problem(send, 429, "rate-limited", detail, scope["path"], headers=[*headers, retry_after])
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *headers]}
            await send(message)

        await self.app(scope, receive, with_headers)


def _period(item: RateLimitItem) -> str:
    unit = item.GRANULARITY.name
    return unit if item.multiples == 1 else f"{item.multiples} {unit}s"

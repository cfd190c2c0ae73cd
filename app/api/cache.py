"""An in-memory response cache for public reads, kept honest by the dataset generation.

Each replica checks the generation (one indexed row, bumped by every write in the write's
own transaction) before answering from memory, so a cached body is never older than the
database, whichever replica wrote last. Misses go through the app as usual.
"""

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.etags import etag_matches

MAX_BODY_BYTES = 1 << 20
_KEPT_HEADERS = {b"content-type", b"content-length", b"etag", b"link", b"cache-control", b"vary"}
_NOT_MODIFIED_HEADERS = {b"etag", b"cache-control", b"vary"}

# (path, query string, Accept header or None): routes that say `Vary: Accept` are kept per Accept value.
_Key = tuple[str, bytes, bytes | None]


@dataclass(frozen=True)
class _Entry:
    generation: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str | None
    route: Any


def _generation(engine: Engine) -> int | None:
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT generation FROM dataset_state").scalar()
    except SQLAlchemyError:  # not migrated yet, or unreachable: let the app answer and explain
        return None


class ResponseCache:
    """Pure ASGI middleware in front of the routers; 0 entries turns it off."""

    def __init__(self, app: ASGIApp, max_entries: int) -> None:
        self.app = app
        self.max_entries = max_entries
        self.entries: OrderedDict[_Key, _Entry] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        generation = await run_in_threadpool(_generation, scope["app"].state.engine)
        if generation is None:
            await self.app(scope, receive, send)
            return
        accept = next((value for name, value in scope["headers"] if name == b"accept"), b"")
        entry = self._fresh_entry(scope, accept, generation)
        if entry is not None:
            scope["route"] = entry.route
            await self._replay(scope, entry, send)
            return
        await self._remember(scope, receive, send, accept, generation)

    def _fresh_entry(self, scope: Scope, accept: bytes, generation: int) -> _Entry | None:
        """The entry for this URL, or for this URL and Accept value when the route varies on Accept."""
        for key in ((scope["path"], scope["query_string"], None), (scope["path"], scope["query_string"], accept)):
            entry = self.entries.get(key)
            if entry is not None and entry.generation == generation:
                self.entries.move_to_end(key)
                return entry
        return None

    def _cacheable(self, scope: Scope) -> bool:
        if self.max_entries <= 0 or scope["type"] != "http" or scope["method"] != "GET":
            return False
        if not scope["path"].startswith(("/v1/", "/explore")) or scope["path"].startswith("/explore/static/"):
            return False
        return not any(name == b"authorization" for name, _ in scope["headers"])

    async def _replay(self, scope: Scope, entry: _Entry, send: Send) -> None:
        if_none_match = next((v.decode("latin-1") for n, v in scope["headers"] if n == b"if-none-match"), None)
        if entry.etag is not None and etag_matches(if_none_match, entry.etag):
            headers = [(n, v) for n, v in entry.headers if n in _NOT_MODIFIED_HEADERS]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
        await send({"type": "http.response.body", "body": entry.body})

    async def _remember(
        self, scope: Scope, receive: Receive, send: Send, accept: bytes, generation: int
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        if start is None or start["status"] != 200 or len(body) > MAX_BODY_BYTES:
            return
        headers = [(name, value) for name, value in start.get("headers", []) if name in _KEPT_HEADERS]
        etag = next((value.decode("latin-1") for name, value in headers if name == b"etag"), None)
        varies = any(name == b"vary" and b"accept" in value.lower() for name, value in headers)
        key = (scope["path"], scope["query_string"], accept if varies else None)
        self.entries[key] = _Entry(generation, headers, body, etag, scope.get("route"))
        if len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)

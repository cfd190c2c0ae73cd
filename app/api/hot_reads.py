"""The hottest public reads, one claim and a page of claims or of search hits, handed to their routes' functions.

Matching a request against every route, solving its handler's dependencies and hopping to a
worker thread cost a claim's detail most of its time in the app: 0.52 ms a request through
FastAPI, 0.19 ms through this layer (timed in-process on the bundled data, every middleware
included). For a GET without a key or a body whose parameters are plainly valid, it calls the
route's own function with the values FastAPI would have passed, so the bytes are the route's
(tests/api/test_hot_reads.py compares them, headers included). A request it does not
recognise, and one whose answer would be an error, passes on to FastAPI, which stays the one
place errors are made.

The layer sits just behind the guard, which has refused what it must (a foreign host, an overlong
URL, an unknown parameter) and named the route for metrics and the cache; the layer picks its
reads by that name. It sits in front of HEAD handling, compression, the body limit and the
response cache, whose work for these reads it does in the same pass: the cache's lookup, ETag,
304 and gzip through the cache's own store, which leaves compression nothing to do. Each layer is
a call and a wrapper around every message it passes; with these out of their way, a worker
served about half as many details again (the README's performance section).

On SQLite a claim, or a page in id order (which walks a covering index and stops after the
page), runs on the event loop: it takes tens to hundreds of microseconds, less than the hop to a
thread and back (a page of 50 at 100,000 claims took 9-16% less time in-process on the loop).
Each of its statements has a budget of LOOP_BUDGET, for running and for waiting on a lock alike
(app.db's statement clock): one past it (a filter's first count at a million claims, a database
another process holds locked) fails at once and the request passes to FastAPI, which runs it
on a thread under the full time limit; a count made there is remembered for the pages after.
While the request threads (EVIDENCE_REQUEST_THREADS, 4 by default) are fewer than SQLite's pool
of 15 connections, the loop never waits for one. Other sorts order every passing claim, a
search ranks every match, and on PostgreSQL any read is a round trip to a server that may be
busy: those run on a thread, and skip only FastAPI's routing and dependency solving (about half
a millisecond of a search). Keyed requests always go to the routes, as checking a key writes.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from fastapi.routing import APIRoute
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.cache import ResponseStore, replay
from app.api.deps import MAX_CURSOR_CHARS, MAX_PAGE_ITEMS, get_cursor_secret
from app.api.v1 import claims
from app.db import statement_budget
from app.errors import EvidenceError
from app.models.claim import CertaintyLevel, Verdict
from app.models.types import SLUG_PATTERN
from app.services.claims import ClaimSort

_SLUG = re.compile(SLUG_PATTERN)
LOOP_BUDGET = 0.005  # seconds a statement may hold the event loop before its request goes to a thread
_PAGE_DIGITS = len(str(MAX_PAGE_ITEMS))  # and never thousands of digits, which int() refuses


def _page_size(value: str) -> int | None:
    """1 to MAX_PAGE_ITEMS written plainly (no sign, space or leading zero), so FastAPI would read it alike."""
    plain = value.isascii() and value.isdigit() and not value.startswith("0") and len(value) <= _PAGE_DIGITS
    return int(value) if plain and int(value) <= MAX_PAGE_ITEMS else None


def _member_of(kind: type[StrEnum]) -> Callable[[str], StrEnum | None]:
    values = {member.value for member in kind}
    return lambda value: kind(value) if value in values else None


# The list parameters taken here, each with the value the route's function receives (None: pass on).
_LIST_VALUES: dict[str, Callable[[str], object]] = {
    "topic": lambda value: value if _SLUG.fullmatch(value) else None,
    "verdict": _member_of(Verdict),
    "min_certainty": _member_of(CertaintyLevel),
    "sort": _member_of(ClaimSort),
    "limit": _page_size,
    "cursor": lambda value: value if 0 < len(value) <= MAX_CURSOR_CHARS else None,
    "q": lambda value: value,  # any text: the route parses it
}


@dataclass(frozen=True)
class _Read:
    route: Callable[..., Response]  # the route's function
    values: dict[str, Any]  # what FastAPI would pass it, but a page's cursor secret
    bounded: bool  # reads a page's rows at most, in index order: on SQLite it may run on the event loop
    signed: bool  # a page, whose cursors are signed with the secret the route's dependency gives


class HotReads:
    """Pure ASGI layer just behind the guard: plain claim details and lists answered by their routes' functions in
    one pass, the rest passed on."""

    def __init__(self, app: ASGIApp, *, store: ResponseStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        read = _recognised(scope) if _plain(scope) else None
        if read is not None:
            lookup = await self.store.lookup(scope)
            if lookup.current is not None:
                await replay(scope, lookup.current, send)
                return
            response = await _answer(scope, read)
            if response is not None:
                start = {"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers}
                await self.store.serve(scope, lookup, start, bytes(response.body), send)
                return
        await self.app(scope, receive, send)


def _plain(scope: Scope) -> bool:
    """A public GET without a body: a key is checked by the routes (checking writes), a body by the body limit."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    return not any(name in _NOT_PLAIN for name, _ in scope["headers"])


_NOT_PLAIN = {b"authorization", b"content-length", b"transfer-encoding"}


def _recognised(scope: Scope) -> _Read | None:
    """The read for the route the guard found, if it is one of ours and its values are plainly valid."""
    recognise = _BY_TEMPLATE.get(scope.get("state", {}).get("route_template"))
    return recognise(scope) if recognise is not None else None


async def _answer(scope: Scope, read: _Read) -> Response | None:
    """The route function's 200, or None where FastAPI must answer (any error, which it alone makes)."""
    state: State = scope["app"].state
    values = read.values
    if read.signed:
        try:
            values = values | {"secret": await get_cursor_secret(values["request"], state.engine, state.settings)}
        except SQLAlchemyError:
            return None

    def respond() -> Response | None:
        try:
            response = read.route(**values, engine=state.engine, settings=state.settings)
        except (EvidenceError, SQLAlchemyError):  # a statement past the loop's budget among them
            return None
        return response if response.status_code == 200 else None

    if read.bounded and state.engine.dialect.name == "sqlite":
        try:
            with statement_budget(LOOP_BUDGET), state.loop_connection.lend():
                return respond()
        except SQLAlchemyError:  # no connection to be had now: FastAPI's route will say so
            return None
    return await anyio.to_thread.run_sync(respond)


def _claim_detail(scope: Scope) -> _Read | None:
    claim_id = scope["path"].rpartition("/")[2]
    if not _SLUG.fullmatch(claim_id) or scope["query_string"]:
        return None
    accept = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"accept"), None)
    values = {"request": Request(scope), "claim_id": claim_id, "accept": accept}
    return _Read(claims.read_claim, values, bounded=True, signed=False)


def _claim_list(scope: Scope) -> _Read | None:
    """A list by the filters above."""
    pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
    values = {name: _LIST_VALUES[name](value) if name in _LIST_VALUES else None for name, value in pairs}
    if len(values) != len(pairs) or None in values.values():
        return None
    state: State = scope["app"].state
    values |= {
        "request": Request(scope),
        "text_search": state.text_search,
        "totals": state.totals,
        "corpus": state.ranker.corpus,
    }
    bounded = "q" not in values and values.get("sort") in (None, ClaimSort.id)
    return _Read(claims.list_claims, values, bounded=bounded, signed=True)


def _template(route: Callable[..., Response]) -> str:
    """The path the guard names a route by."""
    return next(found.path for found in claims.router.routes if isinstance(found, APIRoute) and found.endpoint is route)


_BY_TEMPLATE = {_template(claims.read_claim): _claim_detail, _template(claims.list_claims): _claim_list}

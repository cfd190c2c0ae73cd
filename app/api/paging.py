"""The one list envelope: items, next_cursor, total, and a Link: rel="next" header."""

from collections.abc import Iterable
from typing import Generic, TypeVar

import orjson
from fastapi import Request
from pydantic import BaseModel
from starlette.responses import Response

from app.config import Settings
from app.services.paging import Page, PageRequest

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None
    total: int


def page_request(request: Request, settings: Settings, *, limit: int, cursor: str | None) -> PageRequest:
    """The cursor is bound to the path and every other parameter, so it cannot leak across queries."""
    others = sorted((k, v) for k, v in request.query_params.multi_items() if k != "cursor")
    scope = request.url.path + "?" + "&".join(f"{k}={v}" for k, v in others)
    return PageRequest(limit=limit, cursor=cursor, scope=scope, secret=settings.cursor_secret)


def envelope_response(request: Request, page: Page, items: Iterable[bytes | str], **extra: object) -> Response:
    """The envelope around pre-serialised items (embedded as they are, never re-encoded)."""
    body = {"items": [orjson.Fragment(item) for item in items], "next_cursor": page.next_cursor, "total": page.total}
    headers = {}
    if page.next_cursor is not None:
        next_url = request.url.include_query_params(cursor=page.next_cursor)
        headers["Link"] = f'<{next_url}>; rel="next"'
    return Response(orjson.dumps(body | extra), media_type="application/json", headers=headers)

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


def envelope_response(request: Request, page: Page, items: Iterable[bytes], extra: bytes = b"") -> Response:
    """Assemble pre-serialised items into the envelope without re-encoding them."""
    body = b"".join(
        (
            b'{"items":[',
            b",".join(items),
            b'],"next_cursor":',
            orjson.dumps(page.next_cursor),
            b',"total":',
            str(page.total).encode(),
            extra,
            b"}",
        )
    )
    headers = {}
    if page.next_cursor is not None:
        next_url = request.url.include_query_params(cursor=page.next_cursor)
        headers["Link"] = f'<{next_url}>; rel="next"'
    return Response(body, media_type="application/json", headers=headers)

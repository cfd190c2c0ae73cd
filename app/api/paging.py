"""The one list envelope: items, next_cursor, total, and a Link: rel="next" header."""

from collections.abc import Iterable
from typing import Generic, TypeVar
from urllib.parse import urlencode

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


def _other_parameters(request: Request) -> list[tuple[str, str]]:
    """The query without its cursor, names sorted (values of a repeated name keep their order)."""
    return sorted(((k, v) for k, v in request.query_params.multi_items() if k != "cursor"), key=lambda kv: kv[0])


def _path(request: Request) -> str:
    """A list route's fixed path: the scope holds it as the URL does, without parsing a URL out of the headers."""
    path: str = request.scope["path"]
    return path


def page_request(request: Request, secret: str, *, limit: int, cursor: str | None) -> PageRequest:
    """The cursor is bound to the path and every other parameter, so it cannot leak across queries."""
    scope = _path(request) + "?" + "&".join(f"{k}={v}" for k, v in _other_parameters(request))
    return PageRequest(limit=limit, cursor=cursor or None, scope=scope, secret=secret)


def envelope_response(
    request: Request, settings: Settings, page: Page, items: Iterable[bytes | str], **extra: object
) -> Response:
    """The envelope around pre-serialised items (embedded as they are, never re-encoded)."""
    body = {"items": [orjson.Fragment(item) for item in items], "next_cursor": page.next_cursor, "total": page.total}
    headers = {}
    if page.next_cursor is not None:
        query = urlencode([*_other_parameters(request), ("cursor", page.next_cursor)])
        headers["Link"] = f'<{settings.public_url or ""}{_path(request)}?{query}>; rel="next"'
    return Response(orjson.dumps(body | extra), media_type="application/json", headers=headers)

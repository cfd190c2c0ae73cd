"""The one map from errors to RFC 9457 application/problem+json responses."""

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Scope, Send

from app.db import is_unavailable
from app.errors import (
    AlreadyExists,
    BadCursor,
    BadParameter,
    BadQuery,
    EvidenceError,
    IdempotencyKeyReused,
    IfMatchRequired,
    InsufficientScope,
    InvalidData,
    InvalidKey,
    InvalidTransition,
    KeyRequired,
    LoadInProgress,
    MetricsRefused,
    NotAcceptable,
    NotFound,
    SameEditor,
    VersionMismatch,
)

logger = logging.getLogger("app.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER = "5"  # seconds, on a 503

# Renders a problem as a page where people read pages (the explorer), or returns None for problem+json.
ProblemPage = Callable[[Request, dict[str, Any], dict[str, str] | None], Response | None]

# error class -> (status, stable type slug)
_DOMAIN_ERRORS: dict[type[EvidenceError], tuple[int, str]] = {
    NotFound: (404, "not-found"),
    BadCursor: (400, "bad-cursor"),
    BadQuery: (400, "bad-query"),
    BadParameter: (422, "invalid-parameters"),
    KeyRequired: (401, "key-required"),
    InvalidKey: (401, "invalid-key"),
    InsufficientScope: (403, "insufficient-scope"),
    MetricsRefused: (403, "metrics-refused"),
    NotAcceptable: (406, "not-acceptable"),
    AlreadyExists: (409, "already-exists"),
    InvalidTransition: (409, "invalid-transition"),
    SameEditor: (403, "same-editor"),
    VersionMismatch: (412, "version-mismatch"),
    IfMatchRequired: (428, "if-match-required"),
    InvalidData: (422, "invalid-data"),
    IdempotencyKeyReused: (422, "idempotency-key-reused"),
    LoadInProgress: (503, "load-in-progress"),
}

# RFC 6750 challenges telling a client how to authenticate, and what was wrong with what it sent
_CHALLENGES: dict[type[EvidenceError], str] = {
    KeyRequired: 'Bearer realm="evidence"',
    InvalidKey: 'Bearer realm="evidence", error="invalid_token"',
    InsufficientScope: 'Bearer realm="evidence", error="insufficient_scope"',
}

_HTTP_TYPES = {
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "body-too-large",
    415: "unsupported-media-type",
}


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, with `errors` naming each field at fault."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] = []
    request_id: str | None = Field(default=None, description="On 500s: the X-Request-Id the error is logged under")


def problem(
    status: int, slug: str, detail: str, instance: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "type": f"/problems/{slug}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        "errors": errors or [],
    }


def problem_response(
    request: Request,
    status: int,
    slug: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body = problem(status, slug, detail, request.url.path, errors) | (extra or {})
    page: ProblemPage | None = request.app.state.problem_page
    if page is not None and (rendered := page(request, body, headers)) is not None:
        return rendered
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def send_problem(
    send: Send,
    status: int,
    slug: str,
    detail: str,
    instance: str,
    errors: list[dict[str, Any]] | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """The same problem from pure ASGI middleware, before any routing."""
    body = orjson.dumps(problem(status, slug, detail, instance, errors) | (extra or {}))
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        *(headers or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, EvidenceError)
    status, slug = _DOMAIN_ERRORS.get(type(error), (400, "bad-request"))
    challenge = _CHALLENGES.get(type(error))
    headers = {"WWW-Authenticate": challenge} if challenge else None
    if isinstance(error, NotAcceptable):  # the answer depends on Accept, so caches must key on it
        headers = {"Vary": "Accept"}
    if isinstance(error, LoadInProgress):  # the load running now will end: worth retrying
        headers = {"Retry-After": RETRY_AFTER}
    return problem_response(request, status, slug, error.detail, error.errors, headers)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = [{"loc": [str(part) for part in item["loc"]], "msg": item["msg"]} for item in error.errors()]
    if all(item["loc"][0] == "path" for item in errors):
        return _no_resource(request)
    fields = ", ".join(".".join(e["loc"]) for e in errors)
    return problem_response(request, 422, "invalid-parameters", f"fix these parameters: {fields}", errors)


def _no_resource(request: Request) -> Response:
    """Unknown ids and malformed ones alike: nothing lives at that path."""
    return problem_response(request, 404, "not-found", f"no resource at {request.url.path}; see /docs for the routes")


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        return _no_resource(request)
    slug = _HTTP_TYPES.get(error.status_code, "http-error")
    return problem_response(request, error.status_code, slug, str(error.detail), headers=dict(error.headers or {}))


async def _database_error(request: Request, error: Exception) -> Response:
    """Outages and time limits are a 503 worth retrying; any other database error is a bug (500)."""
    assert isinstance(error, SQLAlchemyError)
    if not is_unavailable(error):
        return await _unexpected_error(request, error)
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, error)
    detail = "the database is unavailable or too slow to answer; retry shortly (operators: see /readyz)"
    return problem_response(request, 503, "database-unavailable", detail, headers={"Retry-After": RETRY_AFTER})


async def _unexpected_error(request: Request, error: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    rid = getattr(request.state, "request_id", "")
    # Made inside the service's layers (app.api.framework): RequestContext gives it the request id and default headers.
    return problem_response(request, 500, "internal-error", _failed(rid), extra={"request_id": rid})


async def send_unexpected_error(scope: Scope, send: Send, error: Exception) -> None:
    """The same 500 for an error raised in the service's own middleware, which RequestContext answers."""
    logger.exception("unhandled error on %s %s", scope["method"], scope["path"], exc_info=error)
    rid = scope.get("state", {}).get("request_id", "")
    await send_problem(send, 500, "internal-error", _failed(rid), scope["path"], extra={"request_id": rid})


def _failed(rid: str) -> str:
    return f"the server failed; the error is logged under request id {rid}: quote it when you report it"


def install_problem_handlers(app: FastAPI, page: ProblemPage | None = None) -> None:
    app.state.problem_page = page
    app.add_exception_handler(EvidenceError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)


NOT_MODIFIED = {"description": "Not modified: the If-None-Match tag names these bytes"}


def problem_doc(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problems a route may answer with."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {"description": HTTPStatus(status).phrase, "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}}}
        for status in statuses
    }

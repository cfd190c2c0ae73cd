"""Liveness, readiness and Prometheus metrics for operators."""

import time

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.deps import EngineDep
from app.db import missing_file
from app.migrate import is_current

router = APIRouter(tags=["ops"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (says nothing of the database)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Database unreachable or not migrated"}})
def readyz(engine: EngineDep) -> JSONResponse:
    """Ready to serve: the database file is there, answers and stands at the newest migration."""
    gone = missing_file(engine)
    if gone is not None:
        detail = f"the database file {gone} is missing: restore it, or create one with `evidence db upgrade`"
        return JSONResponse({"status": "unavailable", "database": detail}, status_code=503)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current = is_current(engine)
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if not current:
        return JSONResponse(
            {"status": "unavailable", "database": "migrations pending: run `evidence db upgrade`"}, status_code=503
        )
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request) -> Response:
    """Request counts and latencies of this process, in Prometheus text format."""
    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST)


class RequestMetrics:
    """Pure ASGI middleware: counts and times each request by route template, cheaply."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        self.requests = Counter("http_requests", "Requests served", ["method", "route", "status"], registry=registry)
        self.latency = Histogram(
            "http_request_duration_seconds", "Time to the response start", ["route"], registry=registry
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            # The guard names API routes before any cache hit; the router names the rest (docs, assets).
            template = scope.get("state", {}).get("route_template") or getattr(scope.get("route"), "path", "unmatched")
            self.requests.labels(scope["method"], template, str(status)).inc()
            self.latency.labels(template).observe(time.perf_counter() - started)

"""Liveness and readiness, for load balancers and orchestrators."""

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import JSONResponse

from app.api.deps import EngineDep
from app.db import missing_file
from app.migrate import is_current

router = APIRouter(tags=["ops"])

# What operators' tools poll. None is rate limited; the first two also answer a worker past its
# in-flight limit (it is alive, and still measured), while /readyz then says busy, so traffic moves on.
LIVENESS = frozenset({"/healthz", "/metrics"})
PROBES = LIVENESS | {"/readyz"}


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

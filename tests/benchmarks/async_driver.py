"""Sync handlers in the thread pool against async handlers on an async driver, on the same reads.

Two minimal FastAPI apps answer the API's two hottest uncached reads with the stored bytes:
a claim by id, and a page of 20 claims with its total. One uses `def` handlers over
SQLAlchemy's synchronous engine (what the API does); the other `async def` handlers over
SQLAlchemy's asyncio engine (aiosqlite for SQLite, psycopg's async connection for
PostgreSQL). Each is loaded with wrk on one core while the server has the other, and
/healthz is probed while a page load runs, so the figures show both speed and blocking.

    pip install -e '.[bench]'
    python -m tests.benchmarks.async_driver --duration 10
    python -m tests.benchmarks.async_driver --database-url postgresql://postgres@127.0.0.1/bench
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.responses import Response

from app import migrate
from app.config import Settings
from app.dataset import read_dataset
from app.db import create_db_engine
from app.services.loading import load_dataset
from tests.benchmarks.run import ROOT, healthz_probe, server, uvicorn, wrk

DETAIL = "SELECT document FROM claim WHERE id = :id"
PAGE = "SELECT document FROM claim WHERE status = 'vetted' ORDER BY id LIMIT 20"
TOTAL = "SELECT count(*) FROM claim WHERE status = 'vetted'"
PORT = 8011


def _page(documents: list[str], total: int) -> bytes:
    return b'{"items":[' + ",".join(documents).encode() + b'],"next_cursor":null,"total":' + str(total).encode() + b"}"


def sync_app() -> FastAPI:
    engine = create_engine(os.environ["BENCH_DATABASE_URL"], pool_size=16)
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/claims/{claim_id}")
    def detail(claim_id: str) -> Response:
        with engine.connect() as conn:
            document = conn.execute(text(DETAIL), {"id": claim_id}).scalar_one()
        return Response(document, media_type="application/json")

    @app.get("/v1/claims")
    def page() -> Response:
        with engine.connect() as conn:
            documents = list(conn.execute(text(PAGE)).scalars())
            total = conn.execute(text(TOTAL)).scalar_one()
        return Response(_page(documents, total), media_type="application/json")

    return app


def async_app() -> FastAPI:
    url = os.environ["BENCH_DATABASE_URL"].replace("sqlite://", "sqlite+aiosqlite://")
    engine = create_async_engine(url, pool_size=16)
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/claims/{claim_id}")
    async def detail(claim_id: str) -> Response:
        async with engine.connect() as conn:
            document = (await conn.execute(text(DETAIL), {"id": claim_id})).scalar_one()
        return Response(document, media_type="application/json")

    @app.get("/v1/claims")
    async def page() -> Response:
        async with engine.connect() as conn:
            documents = list((await conn.execute(text(PAGE))).scalars())
            total = (await conn.execute(text(TOTAL))).scalar_one()
        return Response(_page(documents, total), media_type="application/json")

    return app


def bundled_database(folder: Path) -> str:
    """The bundled dataset in a new SQLite file."""
    url = Settings(database_url=f"sqlite:///{folder / 'bench.db'}").database_url
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    load_dataset(engine=engine, dataset=read_dataset(ROOT / "data"), changed_by="benchmark")
    engine.dispose()
    return url


def claim_paths(url: str) -> list[str]:
    with create_engine(url).connect() as conn:
        ids = list(conn.execute(text("SELECT id FROM claim WHERE status = 'vetted' ORDER BY id")).scalars())
    return [f"/v1/claims/{claim_id}" for claim_id in ids]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a loaded database (default: the bundled dataset in a new SQLite file)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        given = args.database_url
        url = Settings(database_url=given).database_url if given else bundled_database(Path(folder))
        scenarios = {"claim detail": claim_paths(url), "claims page": ["/v1/claims"]}
        files = {}
        for name, paths in scenarios.items():
            files[name] = Path(folder) / f"{name.replace(' ', '-')}.txt"
            files[name].write_text("\n".join(paths) + "\n")
        env = os.environ | {"BENCH_DATABASE_URL": url}
        print(f"{'handlers':26} {'scenario':14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  /healthz p99 ms under load")
        for label, factory in (("sync def, thread pool", "sync_app"), ("async def, async driver", "async_app")):
            command = uvicorn(f"tests.benchmarks.async_driver:{factory}", PORT, "--factory")
            with server(command, env, PORT, core=0):
                base = f"http://127.0.0.1:{PORT}"
                for name, paths_file in files.items():
                    wrk(base, paths_file, seconds=2, connections=args.connections, core=1)  # warm-up
                    figures = wrk(base, paths_file, seconds=args.duration, connections=args.connections, core=1)
                    health: Any = "-"
                    if name == "claims page":
                        probe = healthz_probe(base, paths_file, seconds=args.duration, connections=args.connections)
                        health = f"{probe.p99:.1f}"
                    print(f"{label:26} {name:14} {figures.rps:8.0f} {figures.p50:8.2f} {figures.p99:8.2f}  {health}")
                    sys.stdout.flush()


if __name__ == "__main__":
    main()

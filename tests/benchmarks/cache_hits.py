"""What a response-cache hit costs through the whole ASGI stack, in process (no network, no server).

Every middleware a deployed request meets runs (request id, metrics, guard, HEAD, CORS,
compression, the cache's generation check and replay); CPU time per request is printed,
which a busy machine disturbs less than wall time. Each path is asked once first, so the
measured requests are all hits.

    EVIDENCE_DATABASE_URL=sqlite:////tmp/bench.db python -m tests.benchmarks.cache_hits --requests 3000
"""

import argparse
import asyncio
import time
from typing import Any

from fastapi import FastAPI

from app.config import Settings
from app.main import create_app

PATHS = ["/v1/claims?limit=10", "/v1/claims?limit=200", "/v1/claims/ect-more-efficacious-than-ketamine", "/v1/topics"]


async def ask(app: FastAPI, url: str, encoding: bytes) -> tuple[int, int]:
    """Status and body bytes of one GET sent straight to the ASGI app."""
    path, _, query = url.partition("?")
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"accept-encoding", encoding)],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], sum(len(message.get("body", b"")) for message in sent[1:])


async def measure(requests: int) -> None:
    app = create_app(Settings(rate_limit_anonymous="off"))  # its cost is measured on its own (README)
    async with app.router.lifespan_context(app):
        print(f"{'path':48} {'encoding':9} {'status':>6} {'bytes':>7} {'CPU us':>7} {'wall us':>8}")
        for url in PATHS:
            for encoding in (b"identity", b"gzip"):
                status, size = await ask(app, url, encoding)
                wall, cpu = time.perf_counter(), time.process_time()
                for _ in range(requests):
                    await ask(app, url, encoding)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                print(
                    f"{url:48} {encoding.decode():9} {status:>6} {size:>7} "
                    f"{cpu / requests * 1e6:>7.0f} {wall / requests * 1e6:>8.0f}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="hits measured per path and encoding")
    asyncio.run(measure(parser.parse_args().requests))


if __name__ == "__main__":
    main()

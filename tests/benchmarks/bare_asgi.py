"""The yardstick: a bare ASGI app answering /v1/claims?limit=N straight from sqlite3.

Same database, same envelope, no framework, no validation: what one core can serve at
best. Compare with `load_server.py --scenario "claims list"` against the real app.

    uvicorn --app-dir tests/benchmarks bare_asgi:app --port 8001 --no-access-log
    EVIDENCE_BENCH_DB=/tmp/bench.db  (the SQLite file to read)
"""

import os
import sqlite3
import threading
from urllib.parse import parse_qs

_local = threading.local()


def _connection() -> sqlite3.Connection:
    if not hasattr(_local, "connection"):
        _local.connection = sqlite3.connect(os.environ.get("EVIDENCE_BENCH_DB", "evidence.db"))
    return _local.connection


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    limit = int(parse_qs(scope["query_string"].decode()).get("limit", ["50"])[0])
    connection = _connection()
    rows = connection.execute(
        "SELECT document FROM claim WHERE status = 'vetted' ORDER BY id LIMIT ?", (limit + 1,)
    ).fetchall()
    total = connection.execute("SELECT count(*) FROM claim WHERE status = 'vetted'").fetchone()[0]
    body = (
        '{"items":[' + ",".join(row[0] for row in rows[:limit]) + '],"next_cursor":null,"total":' + str(total) + "}"
    ).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})

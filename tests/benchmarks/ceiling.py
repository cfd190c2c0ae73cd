"""The ceiling: a bare ASGI app over stdlib sqlite3 answering the benchmarked reads with the API's bytes.

No framework, no ORM, no validation beyond what the URLs need: the least work that yields
the same response bodies as the real app (run.py checks they are byte-identical). Like the
app, it counts a list's total once per filter and dataset generation. What it
serves per second on one core is the yardstick the real app is measured against:

    GET /v1/claims/{id}                                      detail, sources expanded
    GET /v1/claims?topic=&verdict=&min_certainty=&limit=&cursor=   a page by id with its total
    GET /v1/claims?q=&limit=&cursor=                         a search page, fragments marked
    GET /healthz

Query parsing and synonyms reuse the app's pure domain functions (they cost microseconds);
everything touching the database is hand-written SQL.

    EVIDENCE_BENCH_DB=/tmp/bench.db uvicorn tests.benchmarks.ceiling:app --port 8001 --no-access-log
"""

import os
import sqlite3
import threading
from typing import Any
from urllib.parse import parse_qsl

import orjson

from app.config import Settings
from app.dataset import SYNONYMS_FILE, read_synonyms
from app.domain.cursor import decode_cursor, encode_cursor
from app.domain.query import Alternatives, Phrase, Query, parse_query
from app.domain.synonyms import expand, synonym_table

SYNONYMS = synonym_table(read_synonyms(Settings().data_dir / SYNONYMS_FILE, []))
RANK = {"high": 4, "moderate": 3, "low": 2, "very_low": 1}
SCORE = "1.0 - 1.0 / (1.0 - bm25(claim_fts, 0.0, 12.0, 6.0, 1.5, 0.5, 2.0, 0.0))"
TEXT = "{statement snippet assessment notes topic_label}"  # every indexed column but the status
SOURCE_COLUMNS = "id, kind, title, container_title, substr(issued, 1, 4), doi, pmid, url, citation"
SOURCE_KEYS = ("id", "kind", "title", "container_title", "year", "doi", "pmid", "url", "citation")
JSON = [(b"content-type", b"application/json")]
_local = threading.local()
_totals: dict[tuple[int, str], int] = {}  # counts per dataset generation and filter, as the app keeps them


def _db() -> sqlite3.Connection:
    if not hasattr(_local, "db"):
        path = os.environ.get("EVIDENCE_BENCH_DB", "evidence.db")
        _local.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        _local.secret = _secret(_local.db)
    return _local.db


def _secret(db: sqlite3.Connection) -> str:
    """EVIDENCE_CURSOR_SECRET, else the database's own key, as the app signs cursors."""
    configured = Settings().cursor_secret
    return configured or db.execute("SELECT cursor_secret FROM dataset_state").fetchone()[0]


def _phrase(phrase: Phrase) -> str:
    return '"' + " ".join(phrase.words) + '"'


def _group(group: Alternatives) -> str:
    return "(" + " OR ".join(_phrase(option) for option in group.options) + ")"


def _match(query: Query, joiner: str) -> str:
    required = joiner.join(_group(g) for g in query.required)
    return f"{TEXT} : ({required})" + "".join(f" NOT {TEXT} : {_phrase(p)}" for p in query.excluded)


def detail(claim_id: str) -> tuple[int, bytes]:
    db = _db()
    row = db.execute("SELECT document, status FROM claim WHERE id = ?", (claim_id,)).fetchone()
    if row is None or row[1] != "vetted":
        return 404, b"{}"
    claim = orjson.loads(row[0])
    cited = list({citation["source_id"] for citation in claim["citations"]})
    marks = ",".join("?" * len(cited))
    rows = db.execute(f"SELECT {SOURCE_COLUMNS} FROM source WHERE id IN ({marks})", cited).fetchall()
    refs = {row[0]: dict(zip(SOURCE_KEYS, row, strict=True)) for row in rows}
    for citation in claim["citations"]:
        citation["source"] = refs.get(citation["source_id"])
    return 200, orjson.dumps(claim)


def _total(db: sqlite3.Connection, sql: str, values: list[Any]) -> int:
    generation = db.execute("SELECT generation FROM dataset_state").fetchone()[0]
    key = (generation, sql + repr(values))
    if key not in _totals:
        _totals[key] = db.execute(sql, values).fetchone()[0]
    return _totals[key]


def _scope(params: list[tuple[str, str]]) -> str:
    return "/v1/claims?" + "&".join(f"{k}={v}" for k, v in sorted(p for p in params if p[0] != "cursor"))


def listing(params: list[tuple[str, str]]) -> tuple[int, bytes]:
    args = dict(params)
    limit = int(args.get("limit", 50))
    where, values = ["status = 'vetted'"], []
    for name, column in (("topic", "topic_id"), ("verdict", "verdict")):
        if name in args:
            where.append(f"{column} = ?")
            values.append(args[name])
    if "min_certainty" in args:
        where.append("certainty_rank >= ?")
        values.append(RANK[args["min_certainty"]])
    db = _db()
    total = _total(db, f"SELECT count(*) FROM claim WHERE {' AND '.join(where)}", values)
    scope = _scope(params)
    if "cursor" in args:
        where.append("id > ?")
        values += decode_cursor(args["cursor"], scope=scope, secret=_local.secret, arity=1)
    sql = f"SELECT id, document FROM claim WHERE {' AND '.join(where)} ORDER BY id LIMIT ?"
    rows = db.execute(sql, [*values, limit + 1]).fetchall()
    cursor = encode_cursor([rows[limit - 1][0]], scope=scope, secret=_local.secret) if len(rows) > limit else None
    items = [orjson.Fragment(row[1]) for row in rows[:limit]]
    return 200, orjson.dumps({"items": items, "next_cursor": cursor, "total": total})


def search(params: list[tuple[str, str]]) -> tuple[int, bytes]:
    args = dict(params)
    limit = int(args.get("limit", 50))
    query = expand(parse_query(args["q"]), SYNONYMS)
    if query.empty:  # only words too common to search for
        return 200, b'{"items":[],"next_cursor":null,"total":0}'
    every, any_ = _match(query, " AND "), _match(query, " OR ")
    db = _db()
    # The status is indexed with the text: FTS5 counts the matches and leaves out the other statuses' claims.
    counted = "SELECT count(*) FROM claim_fts WHERE claim_fts MATCH ?"
    total = _total(db, counted, [every + " NOT status : (draft OR retracted)"])
    after, values = "", [every]
    scope = _scope(params)
    if "cursor" in args:
        score, last_id = decode_cursor(args["cursor"], scope=scope, secret=_local.secret, arity=2)
        after = "AND (score < ? OR (score = ? AND claim_id > ?))"
        values += [score, score, last_id]
    found = _best_first(db, every, limit, values[1:])
    if found is None:
        ranked = (  # matches ranked once; documents only for the page
            f"WITH hits AS MATERIALIZED (SELECT fts_rowid, key.claim_id, key.status, score FROM ("
            f"SELECT rowid AS fts_rowid, {SCORE} AS score FROM claim_fts WHERE claim_fts MATCH ?)"
            f" JOIN claim_fts_key AS key ON key.rowid = fts_rowid)"
            f" SELECT fts_rowid, claim_id, score FROM hits"
            f" WHERE status = 'vetted' {after} ORDER BY score DESC, claim_id LIMIT ?"
        )
        found = db.execute(ranked, [*values, limit + 1]).fetchall()
    last = found[limit - 1] if len(found) > limit else None
    cursor = encode_cursor([last[2], last[1]], scope=scope, secret=_local.secret) if last else None
    found = found[:limit]
    marks = ",".join("?" * len(found))
    documents = dict(db.execute(f"SELECT id, document FROM claim WHERE id IN ({marks})", [r[1] for r in found]))
    rows = [(fts_rowid, claim_id, documents[claim_id]) for fts_rowid, claim_id, _ in found]
    fragments = dict(
        db.execute(
            f"SELECT rowid, snippet(claim_fts, -1, '<mark>', '</mark>', '…', 16) FROM claim_fts"
            f" WHERE claim_fts MATCH ? AND rowid IN ({marks})",
            [any_, *(row[0] for row in rows)],
        ).fetchall()
    )
    items = [
        orjson.Fragment(row[2][:-1] + ',"match":' + orjson.dumps({"fragment": fragments[row[0]]}).decode() + "}")
        for row in rows
    ]
    return 200, orjson.dumps({"items": items, "next_cursor": cursor, "total": total})


def _best_first(db: sqlite3.Connection, match: str, limit: int, cursor: list[Any]) -> list[Any] | None:
    """A page from the best-scored matches alone, as the app draws it; None when it could be wrong.

    `cursor` is empty for a first page, else the last score and claim id shown.
    """
    candidates = 2 * limit + 20
    below, after = (
        (f" AND {SCORE} <= ?", " AND (best.score < ? OR (best.score = ? AND key.claim_id > ?))") if cursor else ("", "")
    )
    best = (
        f"SELECT best.fts_rowid, key.claim_id, best.score, best.kept, best.lowest FROM ("
        f"SELECT fts_rowid, score, count(*) OVER () AS kept, min(score) OVER () AS lowest FROM ("
        f"SELECT rowid AS fts_rowid, {SCORE} AS score FROM claim_fts WHERE claim_fts MATCH ?{below}"
        f" ORDER BY score DESC LIMIT ?)) AS best JOIN claim_fts_key AS key ON key.rowid = best.fts_rowid"
        f" WHERE key.status = 'vetted'{after} ORDER BY best.score DESC, key.claim_id LIMIT ?"
    )
    values = [match, *cursor[:1], candidates, *cursor, limit + 1]
    rows = db.execute(best, values).fetchall()
    if rows and (rows[0][3] < candidates or (len(rows) > limit and rows[limit - 1][2] > rows[0][4])):
        return [row[:3] for row in rows]
    return None


def route(path: str, params: list[tuple[str, str]]) -> tuple[int, bytes]:
    if path == "/healthz":
        return 200, b'{"status":"ok"}'
    if path == "/v1/claims":
        return search(params) if "q" in dict(params) else listing(params)
    if path.startswith("/v1/claims/"):
        return detail(path.removeprefix("/v1/claims/"))
    return 404, b"{}"


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    status, body = route(scope["path"], parse_qsl(scope["query_string"].decode()))
    await send({"type": "http.response.start", "status": status, "headers": JSON})
    await send({"type": "http.response.body", "body": body})

"""POST /v1/import: the round trip with export, every problem by line, auth, idempotency, one load at a time."""

import datetime as dt
import sqlite3
import uuid
from dataclasses import dataclass

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from app import migrate
from app.bundle import bundle_line
from app.config import Settings
from app.dataset import read_dataset
from app.db import SQLITE_BULK_CACHE_KIB, create_db_engine
from app.main import create_app
from tests.benchmarks.generate_claims import synthetic_claims
from tests.conftest import BUNDLED_DATA, ON_POSTGRES, migrated_and_loaded
from tests.helpers import assert_problem, bearer, generation, issue_key, load_held, vetted

NDJSON = {"Content-Type": "application/x-ndjson"}
KINDS = ("topic", "source", "claim")


@dataclass
class Target:
    """A client over a database of its own, with one key per scope."""

    client: TestClient
    url: str
    keys: dict[str, dict[str, str]]
    names: dict[str, str]

    def post(self, body: bytes, key: str = "admin", **headers: str):
        return self.client.post("/v1/import", content=body, headers=self.keys[key] | NDJSON | headers)

    def export(self) -> bytes:
        response = self.client.get("/v1/export?format=jsonl")
        assert response.status_code == 200
        return response.content


def target(url: str, **settings: float) -> Target:
    scopes = {"admin": "admin", "admin2": "admin", "reviewer": "review", "curator": "curate", "reader": "read-drafts"}
    names = {role: f"{role}-{uuid.uuid4().hex[:6]}" for role in scopes}
    keys = {role: bearer(issue_key(url, names[role], scope)) for role, scope in scopes.items()}
    client = TestClient(create_app(Settings(database_url=url, **settings)))
    return Target(client, url, keys | {"anonymous": {}}, names)


@pytest.fixture
def empty(new_database):
    url = new_database()
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    where = target(url)
    with where.client:
        yield where


@pytest.fixture(scope="module")
def exported(client) -> bytes:
    response = client.get("/v1/export?format=jsonl")
    assert response.status_code == 200
    return response.content


def count(url: str, table: str) -> int:
    engine = create_db_engine(url)
    with engine.connect() as conn:
        value: int = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return value


def lines_of(bundle: bytes) -> list[dict]:
    return [orjson.loads(line) for line in bundle.splitlines()]


def bundle_of(lines: list) -> bytes:
    return b"".join((line if isinstance(line, bytes) else orjson.dumps(line)) + b"\n" for line in lines)


def test_export_import_export_gives_identical_bytes(empty, exported, bundled):
    response = empty.post(exported)
    assert response.status_code == 200, response.text
    kinds = [line["type"] for line in lines_of(exported)]
    assert response.json() == {
        kind + "s": {"created": kinds.count(kind), "updated": 0, "unchanged": 0}
        for kind in ("topic", "source", "claim")
    }
    assert empty.export() == exported
    claim = vetted(bundled)[0].id
    revisions = empty.client.get(f"/v1/claims/{claim}/revisions").json()["items"]
    assert [revision["changed_by"] for revision in revisions] == [empty.names["admin"]]
    again = empty.post(exported)
    assert again.json() == {
        kind + "s": {"created": 0, "updated": 0, "unchanged": kinds.count(kind)}
        for kind in ("topic", "source", "claim")
    }


def test_every_problem_is_listed_by_line_and_nothing_is_written(empty, exported):
    lines = lines_of(exported)
    claim_at = next(i for i, line in enumerate(lines) if line["type"] == "claim")
    first, second, third = (dict(line) for line in lines[claim_at : claim_at + 3])
    first["verdict"] = "maybe"
    states = next(c for c in second["citations"] if c["relation"] == "states")
    states["quote"] = "Words that the material never says."
    third["citations"][-1]["source_id"] = "no-such-source"
    broken = [*lines[:claim_at], first, second, third, b"{not json", {"type": "opinion"}, {"id": "x"}, b"[1, 2]"]
    before = generation(empty.url)
    body = assert_problem(empty.post(bundle_of(broken)), 422, "invalid-data")
    n = claim_at + 1  # line numbers count from 1
    wanted = {
        (n, "verdict"),
        (n + 1, "citations", next(i for i, c in enumerate(second["citations"]) if c is states), "locator"),
        (n + 2, "citations", len(third["citations"]) - 1, "source_id"),
        (n + 3,),
        (n + 4, "type"),
        (n + 5, "type"),
        (n + 6,),
    }
    located = {tuple(error["loc"][1:]) for error in body["errors"]}
    assert all(error["loc"][0] == "line" for error in body["errors"])
    assert wanted <= located, body["errors"]
    assert {loc[0] for loc in located} == {n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6}
    messages = " | ".join(error["msg"] for error in body["errors"])
    assert "not JSON" in messages and 'unknown type "opinion"' in messages and "unknown source" in messages
    assert "nothing was imported" in body["detail"]
    assert generation(empty.url) == before
    assert count(empty.url, "claim") == count(empty.url, "source") == count(empty.url, "topic") == 0


def test_only_admin_keys_import_and_only_bundles(empty, exported):
    assert_problem(empty.post(exported, key="anonymous"), 401, "key-required")
    for role in ("reader", "curator", "reviewer"):
        assert_problem(empty.post(exported, key=role), 403, "insufficient-scope")
    for media_type in ("application/json", "text/plain"):
        assert_problem(empty.post(exported, **{"Content-Type": media_type}), 415, "unsupported-media-type")
    assert empty.post(exported, **{"Content-Type": "application/jsonl"}).status_code == 200
    assert_problem(empty.post(b"\n"), 422, "invalid-data")


def test_an_idempotency_key_replays_the_first_answer_and_applies_once(empty, exported):
    first = empty.post(exported, **{"Idempotency-Key": "import-1"})
    assert first.status_code == 200 and "idempotent-replayed" not in first.headers
    before = (generation(empty.url), count(empty.url, "claim_revision"))
    replay = empty.post(exported, **{"Idempotency-Key": "import-1"})
    assert replay.status_code == 200 and replay.headers["idempotent-replayed"] == "true"
    assert replay.content == first.content  # created counts, not a second run's unchanged ones
    assert (generation(empty.url), count(empty.url, "claim_revision")) == before
    other_body = exported.replace(b"\n", b"\n\n", 1)
    body = assert_problem(empty.post(other_body, **{"Idempotency-Key": "import-1"}), 422, "idempotency-key-reused")
    assert body["errors"][0]["loc"] == ["header", "idempotency-key"]
    other_key = empty.post(other_body, key="admin2", **{"Idempotency-Key": "import-1"})  # keys are per API key
    assert other_key.status_code == 200 and "idempotent-replayed" not in other_key.headers
    assert other_key.json()["claims"]["unchanged"] > 0


def test_a_bundle_adds_and_updates_but_removes_nothing_and_keeps_the_topic_order(new_database, bundled, exported):
    url = migrated_and_loaded(new_database(), bundled)
    lines = lines_of(exported)
    claim = next(line for line in lines if line["type"] == "claim")
    claim["assessment"] += " Checked again on import."
    topic = next(line for line in lines if line["id"] == claim["topic"])
    cited = {citation["source_id"] for citation in claim["citations"]}
    sources = [line for line in lines if line["type"] == "source" and line["id"] in cited]
    new_topic = {"type": "topic", "id": "imported-topic", "label": "Imported", "description": "Added by an import."}
    where = target(url)
    with where.client as client:
        order = [t["id"] for t in client.get("/v1/topics").json()["items"]]
        response = where.post(bundle_of([new_topic, topic, *sources, claim]))
        assert response.status_code == 200, response.text
        assert response.json()["claims"] == {"created": 0, "updated": 1, "unchanged": 0}
        assert response.json()["topics"] == {"created": 1, "updated": 0, "unchanged": 1}
        assert [t["id"] for t in client.get("/v1/topics").json()["items"]][: len(order)] == order
        served = client.get("/v1/claims?limit=200").json()["items"]
    assert len(served) == len(vetted(bundled))
    assert next(c for c in served if c["id"] == claim["id"])["assessment"].endswith("Checked again on import.")


def test_a_relabelled_topic_is_searched_by_its_new_label(new_database, bundled, exported):
    url = migrated_and_loaded(new_database(), bundled)
    topic = next(line for line in lines_of(exported) if line["type"] == "topic")
    held = {claim.id for claim in vetted(bundled) if claim.topic == topic["id"]}
    where = target(url, response_cache_entries=0)
    with where.client as client:
        assert client.get("/v1/claims?q=zymurgical").json()["total"] == 0
        response = where.post(bundle_of([{**topic, "label": f"{topic['label']} zymurgical"}]))
        assert response.status_code == 200, response.text
        found = client.get("/v1/claims?q=zymurgical&limit=200").json()
    assert held and {claim["id"] for claim in found["items"]} == held


def test_an_import_while_a_load_runs_is_a_503_to_retry(new_database, bundled, exported):
    url = migrated_and_loaded(new_database(), bundled)
    where = target(url, connect_timeout=0.5)  # how long SQLite waits for the write lock
    with where.client:
        assert where.post(b"\n").status_code == 422  # the key is noted as used now, not during the load
        with load_held(url, read_dataset(BUNDLED_DATA)):
            refused = where.post(exported)
        assert_problem(refused, 503, "load-in-progress")
        assert refused.headers["retry-after"]
        assert where.post(exported).status_code == 200


def test_a_bundle_may_not_change_a_text_that_claims_outside_it_quote(new_database, bundled, exported):
    url = migrated_and_loaded(new_database(), bundled)
    material = next(line for line in lines_of(exported) if line["type"] == "source" and line["kind"] == "material")
    material["text"] = "Nothing the claims quote is left."
    where = target(url)
    with where.client:
        before = generation(url)
        body = assert_problem(where.post(bundle_of([material])), 422, "invalid-data")
        assert body["errors"][0]["loc"] == [f"source '{material['id']}'", "text"]
        assert "claim '" in body["errors"][0]["msg"]
        assert generation(url) == before


def _search_segments(url: str) -> int:
    """How many segments SQLite's FTS5 index of claims is split into, from its structure record.

    The record (rowid 10 of claim_fts_data) opens with a 4-byte cookie, then varints: levels, segments.
    """
    engine = create_db_engine(url)
    with engine.connect() as conn:
        record = conn.execute(text("SELECT block FROM claim_fts_data WHERE id = 10")).scalar_one()
    engine.dispose()
    values, value = [], 0
    for byte in record[4:]:
        value = value << 7 | byte & 0x7F
        if not byte & 0x80:
            values.append(value)
            value = 0
        if len(values) == 2:
            return values[1]
    raise AssertionError("a truncated structure record")


@pytest.mark.skipif(ON_POSTGRES, reason="FTS5's segments; PostgreSQL's GIN index has none")
def test_an_import_writes_its_search_rows_as_one_segment(empty, bundled):
    """FTS5 writes its pending rows out as a new segment each time a rowid is lower than the last one.

    Written in any other order, these 300 claims left six segments to merge, and an import of
    20,000 claims took four times as long.
    """
    today = dt.datetime.now(dt.UTC).date()
    claims = [claim.model_copy(update={"reviewed": today}) for claim in synthetic_claims(300, seed=5)]
    lines = [
        *(bundle_line("topic", topic) for topic in bundled.topics),
        *(bundle_line("source", source) for source in bundled.sources),
        *(bundle_line("claim", claim) for claim in claims),
    ]
    response = empty.post(b"".join(lines))
    assert response.status_code == 200, response.text
    assert response.json()["claims"]["created"] == 300
    assert _search_segments(empty.url) == 1
    found = empty.client.get("/v1/claims", params={"q": claims[-1].statement, "limit": 100}).json()["items"]
    assert claims[-1].id in [item["id"] for item in found]


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's page cache; PostgreSQL's buffers are the server's")
def test_an_import_has_a_large_page_cache_and_gives_it_back(empty, exported):
    """Loading 100,000 claims with the 2 MB default read spilled pages back 47 times a claim."""
    engine = empty.client.app.state.engine
    indexing: list[int] = []
    committing: list[int] = []

    def while_indexing(conn, cursor, statement, *_):
        if statement.startswith("INSERT INTO claim_fts"):
            indexing.append(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())

    def at_commit(conn):
        committing.append(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())

    event.listen(engine, "before_cursor_execute", while_indexing)
    event.listen(engine, "commit", at_commit)
    try:
        response = empty.post(exported)
    finally:
        event.remove(engine, "before_cursor_execute", while_indexing)
        event.remove(engine, "commit", at_commit)
    assert response.status_code == 200, response.text
    assert indexing == [-SQLITE_BULK_CACHE_KIB]
    assert committing and -SQLITE_BULK_CACHE_KIB not in committing


@pytest.mark.skipif(ON_POSTGRES, reason="counts the steps of SQLite's virtual machine")
def test_a_bundle_costs_the_same_however_many_claims_are_held(empty, bundled):
    """A bundle's claims are embedded as they are written; nothing else held is looked through.

    Each bundle once searched every claim held for one without a vector: 0.47 s a bundle at
    100,000 claims, most of what slowed an import of 1,000,000 down as it went. The statistics
    refreshed after a load are left out: ANALYZE reads at most SQLITE_ANALYSIS_ROWS of each index.
    """
    today = dt.datetime.now(dt.UTC).date()
    claims = [claim.model_copy(update={"reviewed": today}) for claim in synthetic_claims(2_030, seed=9)]
    cited = [
        *(bundle_line("topic", topic) for topic in bundled.topics),
        *(bundle_line("source", source) for source in bundled.sources),
    ]
    steps = {"import": 0, "statistics": 0}
    counting = ["import"]

    def step() -> int:
        steps[counting[0]] += 1
        return 0

    def import_steps(part: list) -> int:
        steps["import"] = 0
        response = empty.post(b"".join(cited + [bundle_line("claim", claim) for claim in part]))
        assert response.status_code == 200, response.text
        return steps["import"]

    engine = empty.client.app.state.engine
    engine.dispose()  # every connection from here on counts its steps
    event.listen(engine, "connect", lambda dbapi_connection, _: dbapi_connection.set_progress_handler(step, 100))
    event.listen(
        engine,
        "before_cursor_execute",
        lambda *args: counting.__setitem__(0, "statistics" if args[2].startswith("ANALYZE") else "import"),
    )
    import_steps(claims[:10])  # the topics and sources, written once
    few_held = import_steps(claims[10:20])
    import_steps(claims[30:])
    many_held = import_steps(claims[20:30])
    assert count(empty.url, "claim_embedding") == len(claims)
    assert steps["statistics"] > 0  # the split above saw ANALYZE
    assert many_held < 1.5 * few_held, (few_held, many_held)


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's limit is set per connection; PostgreSQL's would need 65,536 claims")
def test_a_topic_relabelled_with_more_claims_than_a_statement_binds(empty, bundled):
    """Relabelling re-embeds every claim of the topic; their vectors are replaced in statements of bounded size."""
    today = dt.datetime.now(dt.UTC).date()
    claims = [
        claim.model_copy(update={"reviewed": today, "topic": "safety"}) for claim in synthetic_claims(1_500, seed=4)
    ]
    safety = next(topic for topic in bundled.topics if topic.id == "safety")
    cited = [
        *(bundle_line("topic", topic) for topic in bundled.topics),
        *(bundle_line("source", source) for source in bundled.sources),
    ]
    response = empty.post(b"".join(cited + [bundle_line("claim", claim) for claim in claims]))
    assert response.status_code == 200, response.text
    before = _vectors(empty.url)
    engine = empty.client.app.state.engine
    engine.dispose()  # every connection from here on binds at most 1,200 values a statement
    limit = sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER
    event.listen(engine, "connect", lambda dbapi_connection, _: dbapi_connection.setlimit(limit, 1_200))
    relabelled = safety.model_copy(update={"label": f"{safety.label} zymurgical"})
    response = empty.post(bundle_line("topic", relabelled))
    assert response.status_code == 200, response.text
    found = empty.client.get("/v1/claims", params={"q": "zymurgical", "limit": 1}).json()
    assert found["total"] == sum(claim.status == "vetted" for claim in claims) > 0
    after = _vectors(empty.url)
    assert len(before) == len(after) == len(claims)
    assert all(after[claim_id] != vector for claim_id, vector in before.items())  # each embeds the new label


def _vectors(url: str) -> dict[str, bytes]:
    engine = create_db_engine(url)
    with engine.connect() as conn:
        vectors = dict(conn.execute(text("SELECT claim_id, vector FROM claim_embedding")).all())
    engine.dispose()
    return vectors

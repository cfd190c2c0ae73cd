"""Expectations derived from the dataset files, so tests never hard-code answers."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from app.dataset import Dataset
from app.db import create_db_engine
from app.models.api_key import KeyScope
from app.models.claim import ClaimIn
from app.services.keys import create_key
from app.services.loading import load_dataset


def settled(client: TestClient, url: str, within: float = 2.0) -> float:
    """Seconds until the app's worker agrees with the database on the dataset generation.

    At once where the worker reads the generation in place (SQLite); within
    EVIDENCE_GENERATION_MAX_STALENESS where it is notified of it (PostgreSQL).
    """
    engine = create_db_engine(url)
    with engine.connect() as conn:
        wanted = conn.exec_driver_sql("SELECT generation FROM dataset_state").scalar_one()
    engine.dispose()
    started = time.monotonic()
    while client.app.state.generation.known() not in (None, wanted):
        assert time.monotonic() - started < within, "the worker never learnt the new generation"
        time.sleep(0.005)
    return time.monotonic() - started


def vetted(dataset: Dataset) -> list[ClaimIn]:
    return sorted((claim for claim in dataset.claims if claim.status == "vetted"), key=lambda claim: claim.id)


def as_served(claim: ClaimIn) -> dict[str, Any]:
    """The curator's fields as the API serves them (the review date becomes reviewed_at)."""
    return claim.model_dump(mode="json", exclude={"reviewed"})


def walk(client: TestClient, url: str) -> list[dict[str, Any]]:
    """Follow next_cursor to the end, checking each envelope on the way."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        separator = "&" if "?" in url else "?"
        response = client.get(f"{url}{separator}cursor={cursor}" if cursor else url)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) >= {"items", "next_cursor", "total"}
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            assert "link" not in response.headers
            return items
        assert response.headers["link"].endswith('>; rel="next"')


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    """RFC 9457 shape, content type and stable type of an error response."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    extensions = {"request_id"} if status == 500 else set()
    assert set(body) == {"type", "title", "status", "detail", "instance", "errors"} | extensions
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    assert body["detail"]
    return body


def issue_key(url: str, name: str, scope: str) -> str:
    """A new API key in the database at `url`, as `evidence keys create` makes it."""
    engine = create_db_engine(url)
    with Session(engine) as session, session.begin():
        key = create_key(session=session, name=name, scope=KeyScope(scope))
    engine.dispose()
    return key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def generation(url: str) -> int:
    """The dataset generation: moves once per transaction that changes anything."""
    engine = create_db_engine(url)
    with engine.connect() as conn:
        value: int = conn.execute(text("SELECT generation FROM dataset_state")).scalar_one()
    engine.dispose()
    return value


def assert_search_index_sound(url: str) -> None:
    """The search index holds every claim's current text and nothing else.

    On SQLite, FTS5 also checks its index against the claims' rows, which it reads the text from (0017).
    """
    engine = create_db_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("INSERT INTO claim_fts (claim_fts, rank) VALUES ('integrity-check', 1)"))
        claims = conn.execute(text("SELECT count(*) FROM claim")).scalar_one()
        indexed = conn.execute(text("SELECT count(*) FROM claim_fts")).scalar_one()
        current = conn.execute(
            text(
                "SELECT count(*) FROM claim_fts JOIN claim ON claim.id = claim_fts.claim_id "
                "AND claim.statement = claim_fts.statement AND claim.snippet = claim_fts.snippet"
            )
        ).scalar_one()
    engine.dispose()
    assert claims == indexed == current


@contextmanager
def load_held(url: str, dataset: Dataset, *, at: str | None = None) -> Iterator[None]:
    """A load of `dataset` running in another thread, held inside its transaction (on reaching item `at`,
    else its first) until the block ends."""
    inside, release = threading.Event(), threading.Event()

    def hold(kind: str, item: str) -> None:
        if at is None or item == at:
            inside.set()
            release.wait(timeout=30)

    engine = create_db_engine(url)
    running = threading.Thread(
        target=load_dataset,
        kwargs={"engine": engine, "dataset": dataset, "changed_by": "a held load", "progress": hold},
    )
    running.start()
    try:
        assert inside.wait(timeout=30)
        yield
    finally:
        release.set()
        running.join(timeout=60)
        engine.dispose()

"""Timestamps are UTC instants whatever time zone the server process runs in."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import migrated_and_loaded
from tests.helpers import vetted, walk


@pytest.fixture
def new_york(monkeypatch):
    """The process's local time is America/New_York (UTC-5 or -4), as on a server configured there."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def parse(stamp: str) -> datetime:
    assert stamp.endswith("Z"), stamp
    return datetime.fromisoformat(stamp)


def test_revision_and_update_times_are_right_under_a_local_time_zone(new_york, new_database, bundled):
    before = datetime.now(UTC).replace(microsecond=0)
    url = migrated_and_loaded(new_database(), bundled)
    after = datetime.now(UTC)
    written = vetted(bundled)[0]
    with TestClient(create_app(Settings(database_url=url, response_cache_entries=0))) as client:
        revision = client.get(f"/v1/claims/{written.id}/revisions").json()["items"][0]
        claim = client.get(f"/v1/claims/{written.id}").json()
        recent = walk(client, "/v1/claims?sort=-updated_at&limit=5")
    for stamp in (revision["changed_at"], claim["created_at"]):
        assert before - timedelta(seconds=1) <= parse(stamp) <= after, stamp
    assert parse(claim["updated_at"]) == datetime.combine(written.reviewed, datetime.min.time(), UTC)  # the review
    assert len(recent) == len(vetted(bundled))  # cursors over timestamps survive the zone too

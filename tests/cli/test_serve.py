import sys
from pathlib import Path

import httpx2
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import ON_POSTGRES
from tests.live import serving


def test_first_serve_migrates_and_loads_the_bundled_data_saying_so_loudly(new_database, bundled):
    with serving({"EVIDENCE_DATABASE_URL": new_database()}) as server:
        ready = httpx2.get(f"{server.url}/readyz")
        assert ready.json() == {"status": "ok", "database": "ok"}
        topics = httpx2.get(f"{server.url}/v1/topics").json()
        assert topics["total"] == len(bundled.topics)
        claims = httpx2.get(f"{server.url}/v1/claims?limit=1").json()
        assert claims["total"] == sum(1 for claim in bundled.claims if claim.status == "vetted")
    assert "WARNING:" in server.output and "is empty: loading the bundled dataset" in server.output
    assert "--no-seed or EVIDENCE_SEED_EMPTY_DATABASE=false" in server.output


@pytest.mark.parametrize("how", [{"EVIDENCE_SEED_EMPTY_DATABASE": "false"}, "--no-seed"])
def test_seeding_an_empty_database_can_be_turned_off(new_database, how):
    env = {"EVIDENCE_DATABASE_URL": new_database()}
    command = None
    if isinstance(how, dict):
        env |= how
    else:
        command = [sys.executable, "-m", "app", "serve", how]
    with serving(env, command=command) as server:
        assert httpx2.get(f"{server.url}/v1/topics").json()["total"] == 0
        assert httpx2.get(f"{server.url}/readyz").status_code == 200
    assert "is empty and seeding is off" in server.output


@pytest.mark.skipif(ON_POSTGRES, reason="a SQLite file")
def test_readyz_notices_a_deleted_database_file(new_database):
    url = new_database()
    with serving({"EVIDENCE_DATABASE_URL": url}) as server:
        assert httpx2.get(f"{server.url}/readyz").status_code == 200
        Path(make_url(url).database or "").unlink()
        gone = httpx2.get(f"{server.url}/readyz")
        assert not Path(make_url(url).database or "").exists()  # checking did not create a new, empty file
    assert gone.status_code == 503
    assert "is missing" in gone.json()["database"]

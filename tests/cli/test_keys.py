import hashlib
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from app import migrate
from app.cli import cli
from app.config import Settings
from app.db import create_db_engine
from app.main import create_app
from tests.helpers import assert_problem, bearer

runner = CliRunner()


def stored_keys(url):
    engine = create_db_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM api_key")).mappings().all()
    engine.dispose()
    return rows


def test_create_prints_the_key_once_and_stores_only_its_hash(new_database, monkeypatch):
    url = new_database()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", url)
    result = runner.invoke(cli, ["keys", "create", "--name", "alice", "--scope", "curate"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith("ev_") and len(key) >= 40
    assert "cannot be shown again" in result.stderr
    (row,) = stored_keys(url)
    assert row["name"] == "alice" and row["scope"] == "curate"
    assert row["key_sha256"] == hashlib.sha256(key.encode()).hexdigest()
    assert all(key not in str(value) for value in row.values())
    second = runner.invoke(cli, ["keys", "create", "--name", "bob", "--scope", "curate"]).stdout.strip()
    assert second != key


def test_names_are_unique_and_scopes_known(new_database, monkeypatch):
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", new_database())
    assert runner.invoke(cli, ["keys", "create", "--name", "alice", "--scope", "review"]).exit_code == 0
    again = runner.invoke(cli, ["keys", "create", "--name", "alice", "--scope", "admin"])
    assert again.exit_code == 1 and "pick another name" in again.stderr
    unknown = runner.invoke(cli, ["keys", "create", "--name", "carol", "--scope", "root"])
    assert unknown.exit_code == 2 and "read-drafts" in unknown.output
    bad_name = runner.invoke(cli, ["keys", "create", "--name", "no spaces", "--scope", "curate"])
    assert bad_name.exit_code == 2 and "--name" in bad_name.stderr


def test_list_shows_use_never_the_key_and_revoke_stops_it(new_database, monkeypatch):
    url = new_database()
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", url)
    assert "no keys yet" in runner.invoke(cli, ["keys", "list"]).stdout
    key = runner.invoke(cli, ["keys", "create", "--name", "reader", "--scope", "read-drafts"]).stdout.strip()
    listed = runner.invoke(cli, ["keys", "list"]).stdout
    assert "reader" in listed and "read-drafts" in listed and "never" in listed and "active" in listed
    assert key not in listed
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert client.get("/v1/claims?status=draft", headers=bearer(key)).status_code == 200
        used = runner.invoke(cli, ["keys", "list"]).stdout
        assert "never" not in used
        revoked = runner.invoke(cli, ["keys", "revoke", "reader"])
        assert revoked.exit_code == 0 and "revoked" in revoked.stdout
        assert "revoked 20" in runner.invoke(cli, ["keys", "list"]).stdout
        response = client.get("/v1/claims?status=draft", headers=bearer(key))
    assert_problem(response, 401, "invalid-key")
    unknown = runner.invoke(cli, ["keys", "revoke", f"nobody-{uuid.uuid4().hex[:6]}"])
    assert unknown.exit_code == 1 and "evidence keys list" in unknown.stderr

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.main import create_app
from tests.cli.test_check import first_claim, rewrite
from tests.helpers import vetted

runner = CliRunner()


def test_load_then_reload_changes_nothing(new_database, bundled, data_copy, monkeypatch):
    url = new_database()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", url)
    first = runner.invoke(cli, ["load", str(data_copy)])
    assert first.exit_code == 0, first.output
    assert f"claims   {len(bundled.claims)} created" in first.output
    again = runner.invoke(cli, ["load", str(data_copy)])
    assert again.exit_code == 0, again.output
    assert f"claims   {len(bundled.claims)} unchanged" in again.output
    assert "nothing changed" in again.output
    with TestClient(create_app(Settings(database_url=url))) as client:
        items = client.get("/v1/claims?limit=200").json()["items"]
    assert {item["version"] for item in items} == {1}
    assert len(items) == len(vetted(bundled))


def test_a_real_change_bumps_version_and_keeps_history(new_database, data_copy, monkeypatch):
    url = new_database()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", url)
    assert runner.invoke(cli, ["load", str(data_copy)]).exit_code == 0
    path, claim = first_claim(data_copy)
    claim["assessment"] = claim["assessment"] + " Reviewed again."
    rewrite(path, claim)
    result = runner.invoke(cli, ["load", str(data_copy)])
    assert result.exit_code == 0 and "1 updated" in result.output
    with TestClient(create_app(Settings(database_url=url))) as client:
        served = client.get(f"/v1/claims/{claim['id']}")
        revisions = client.get(f"/v1/claims/{claim['id']}/revisions").json()
    assert served.json()["version"] == 2 and served.headers["etag"]
    assert served.json()["assessment"].endswith("Reviewed again.")
    assert [r["version"] for r in revisions["items"]] == [2, 1]
    assert not revisions["items"][1]["claim"]["assessment"].endswith("Reviewed again.")


def test_invalid_data_loads_nothing(new_database, data_copy, monkeypatch):
    url = new_database()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", url)
    path, claim = first_claim(data_copy)
    claim["topic"] = "no-such-topic"
    rewrite(path, claim)
    result = runner.invoke(cli, ["load", str(data_copy)])
    assert result.exit_code == 1
    assert "unknown topic 'no-such-topic'" in result.output
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert client.get("/readyz").status_code == 503


def test_unreachable_database_says_what_to_do(monkeypatch, data_copy):
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    result = runner.invoke(cli, ["load", str(data_copy)])
    assert result.exit_code == 2
    assert "cannot reach the database" in result.output and "EVIDENCE_DATABASE_URL" in result.output

"""GET /v1/meta and `evidence --version`: which dataset is served, so clients can cite and compare it."""

from collections import Counter

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.main import create_app
from tests.cli.test_check import first_claim, rewrite

runner = CliRunner()


def uncached_meta(url: str) -> dict:
    with TestClient(create_app(Settings(database_url=url, response_cache_entries=0))) as client:
        response = client.get("/v1/meta")
    assert response.status_code == 200, response.text
    return response.json()


def test_meta_describes_the_loaded_dataset(client, bundled):
    body = client.get("/v1/meta").json()
    statuses = Counter(claim.status.value for claim in bundled.claims)
    assert body["api_version"] == client.get("/openapi.json").json()["info"]["version"]
    assert body["release"] == bundled.release.label
    assert body["last_reviewed"] == max(c.reviewed for c in bundled.claims if c.status == "vetted").isoformat()
    assert body["claims"] == {status: statuses[status] for status in ("vetted", "draft", "retracted")}
    assert (body["sources"], body["topics"]) == (len(bundled.sources), len(bundled.topics))
    assert len(body["dataset_version"]) == 64


def test_the_cli_and_the_api_give_the_same_dataset_version(client, monkeypatch):
    monkeypatch.delenv("EVIDENCE_DATA_DIR", raising=False)
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0, result.output
    body = client.get("/v1/meta").json()
    assert f"evidence {body['api_version']}" in result.output
    assert f"sha256:{body['dataset_version']}" in result.output
    assert f"dataset {body['release']}" in result.output and f"last reviewed {body['last_reviewed']}" in result.output


def test_meta_is_in_the_openapi_spec(client):
    operation = client.get("/openapi.json").json()["paths"]["/v1/meta"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/DatasetMeta")


def test_the_version_changes_with_the_content_and_only_then(new_database, data_copy, monkeypatch):
    url = new_database()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", url)
    assert runner.invoke(cli, ["load", str(data_copy)]).exit_code == 0
    first = uncached_meta(url)
    assert runner.invoke(cli, ["load", str(data_copy)]).exit_code == 0
    assert uncached_meta(url) == first
    path, claim = first_claim(data_copy)
    claim["assessment"] = claim["assessment"] + " Reviewed again."
    rewrite(path, claim)
    assert runner.invoke(cli, ["load", str(data_copy)]).exit_code == 0
    changed = uncached_meta(url)
    assert changed["dataset_version"] != first["dataset_version"]
    assert changed["release"] == first["release"] and changed["claims"] == first["claims"]

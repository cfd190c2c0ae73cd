"""`evidence export`: every format of GET /v1/export, the same bytes, to stdout or a file."""

import orjson
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.api.v1.export import ExportFormat
from app.cli import cli
from app.config import Settings
from app.main import create_app

runner = CliRunner()


@pytest.mark.parametrize("export_format", [f.value for f in ExportFormat])
def test_export_writes_what_the_endpoint_serves(bundled_url, monkeypatch, tmp_path, export_format):
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", bundled_url)
    monkeypatch.setenv("EVIDENCE_PUBLIC_URL", "https://evidence.example.org")
    settings = Settings(database_url=bundled_url, public_url="https://evidence.example.org")
    with TestClient(create_app(settings)) as client:
        served = client.get(f"/v1/export?format={export_format}").content
    to_stdout = runner.invoke(cli, ["export", "--format", export_format])
    assert to_stdout.exit_code == 0, to_stdout.output
    assert same(to_stdout.stdout_bytes, served, export_format)
    target = tmp_path / f"out.{export_format}"
    to_file = runner.invoke(cli, ["export", "--format", export_format, "--output", str(target)])
    assert to_file.exit_code == 0, to_file.output
    assert same(target.read_bytes(), served, export_format)
    assert f"Wrote {len(target.read_bytes()):,} bytes to {target}" in to_file.stderr


def same(written: bytes, served: bytes, export_format: str) -> bool:
    """Byte for byte, but for the moment a FHIR Bundle says it was made."""
    if export_format != "fhir":
        return written == served
    made, answered = orjson.loads(written), orjson.loads(served)
    del made["timestamp"], answered["timestamp"]
    return bool(made == answered)


def test_export_of_an_unknown_topic_says_where_to_look(bundled_url, monkeypatch):
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", bundled_url)
    result = runner.invoke(cli, ["export", "--format", "csv", "--topic", "nowhere"])
    assert result.exit_code == 1
    assert "no topic has id 'nowhere'" in result.stderr

"""Configuration mistakes get one line per variable, a taken port says so, and upgrades say what they did."""

import os
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.db import create_db_engine
from app.migrate import ScriptDirectory, alembic_config
from tests.live import free_port

runner = CliRunner()


@pytest.mark.parametrize(
    ("variable", "value", "accepts"),
    [
        ("EVIDENCE_CORS_ORIGINS", "https://app.example.com", "JSON list"),
        ("EVIDENCE_RESPONSE_CACHE_ENTRIES", "-1", "whole number"),
        ("EVIDENCE_STATEMENT_TIMEOUT", "soon", "a number"),
        ("EVIDENCE_SEED_EMPTY_DATABASE", "perhaps", "true or false"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it_for_every_command(monkeypatch, variable, value, accepts):
    monkeypatch.setenv(variable, value)
    for command in (["db", "upgrade"], ["load", "data"], ["serve", "--port", str(free_port())]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 2 and lines[0].startswith(f"{variable}: ") and accepts in lines[0], lines
        assert "Traceback" not in result.output


def test_a_bad_setting_stops_the_app_factory_in_one_line(tmp_path):
    env = {**os.environ, "EVIDENCE_RESPONSE_CACHE_ENTRIES": "-5"}
    command = [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app", "--port", str(free_port())]
    started = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert started.returncode != 0
    assert "EVIDENCE_RESPONSE_CACHE_ENTRIES: input should be greater than or equal to 0" in started.stderr
    assert "Traceback" not in started.stderr


def test_serve_on_a_taken_port_says_so(new_database):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "EVIDENCE_DATABASE_URL": new_database()}
        command = [sys.executable, "-m", "app", "serve", "--port", str(port)]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is taken by another program" in result.stderr
    assert "Serving on" not in result.stdout and "Traceback" not in result.stderr


def test_db_upgrade_says_what_it_applied_then_that_it_is_current(new_database, monkeypatch):
    url = new_database()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", url)
    engine = create_db_engine(url)
    revisions = [script.revision for script in ScriptDirectory.from_config(alembic_config(engine)).walk_revisions()]
    engine.dispose()
    first = runner.invoke(cli, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert f"Applied {len(revisions)} migration(s): {', '.join(reversed(revisions))}" in first.output
    again = runner.invoke(cli, ["db", "upgrade"])
    assert again.exit_code == 0
    assert again.output.strip() == f"Already at the newest migration ({revisions[0]}); nothing to apply"

"""Loads run one at a time: a second one says so in one line, and no version bump is lost."""

import shutil
from pathlib import Path

import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.dataset import read_dataset
from app.main import create_app
from tests.cli.test_check import rewrite
from tests.helpers import load_held

runner = CliRunner()
SOURCE = "anand-2023-nejm"


def retitled(data: Path, title: str) -> Path:
    path = data / "sources" / f"{SOURCE}.yaml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    rewrite(path, {**record, "title": title})
    return data


def test_a_second_load_while_one_runs_is_refused_in_one_line_and_nothing_is_lost(
    new_database, data_copy, tmp_path, monkeypatch
):
    url = new_database()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", url)
    monkeypatch.setenv("EVIDENCE_CONNECT_TIMEOUT", "0.5")  # how long SQLite waits for the write lock
    assert runner.invoke(cli, ["load", str(data_copy)]).exit_code == 0
    first = retitled(data_copy, "Retitled by the first load")
    second = retitled(Path(shutil.copytree(data_copy, tmp_path / "second")), "Retitled by the second")

    with load_held(url, read_dataset(first), at=SOURCE):
        refused = runner.invoke(cli, ["load", str(second)])
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines()[-1] == (
        "another load is running on this database; run this one again when it has finished"
    )
    assert "Traceback" not in refused.output
    assert runner.invoke(cli, ["load", str(second)]).exit_code == 0
    with TestClient(create_app(Settings(database_url=url))) as client:
        source = client.get(f"/v1/sources/{SOURCE}").json()
    assert (source["title"], source["version"]) == ("Retitled by the second", 3)

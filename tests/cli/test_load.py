import yaml
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.db import create_db_engine
from app.main import create_app
from app.models.claim import ClaimRevision
from app.services.loading import RETIRED_NOTE
from tests.cli.test_check import first_claim, rewrite
from tests.helpers import assert_problem, vetted, walk

runner = CliRunner()


def test_load_then_reload_changes_nothing(new_database, bundled, data_copy, monkeypatch):
    url = new_database()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", url)
    first = runner.invoke(cli, ["load", str(data_copy)])
    assert first.exit_code == 0, (first.output, first.exception)
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


def test_records_missing_from_the_folder_are_reported_then_retired_with_history(new_database, data_copy, monkeypatch):
    url = new_database()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", url)
    assert runner.invoke(cli, ["load", str(data_copy)]).exit_code == 0
    path, claim = first_claim(data_copy)
    path.unlink()

    reported = runner.invoke(cli, ["load", str(data_copy)])
    assert reported.exit_code == 0, reported.output
    assert f"1 claim(s) in the database are not in {data_copy} and are still served: {claim['id']}" in reported.output
    assert "--retire-missing" in reported.output
    with TestClient(create_app(Settings(database_url=url, response_cache_entries=0))) as client:
        assert client.get(f"/v1/claims/{claim['id']}").status_code == 200

    retired = runner.invoke(cli, ["load", str(data_copy), "--retire-missing"])
    assert retired.exit_code == 0, retired.output
    assert f"retired 1 claim(s) missing from {data_copy} (retracted, history kept): {claim['id']}" in retired.output
    assert "1 retired" in retired.output and "still served" not in retired.output
    with TestClient(create_app(Settings(database_url=url, response_cache_entries=0))) as client:
        assert_problem(client.get(f"/v1/claims/{claim['id']}"), 401, "key-required")
        counts = client.get("/v1/meta").json()["claims"]
        assert counts["retracted"] == 1
        assert claim["id"] not in {item["id"] for item in walk(client, "/v1/claims?limit=200")}
    revisions = claim_revisions(url, claim["id"])
    assert [(r.version, r.note) for r in revisions] == [(1, None), (2, RETIRED_NOTE)]
    assert '"status":"vetted"' in (revisions[0].snapshot or "")  # kept when version 2 replaced it
    assert revisions[1].snapshot is None  # the current version's document is the claim row's own

    again = runner.invoke(cli, ["load", str(data_copy), "--retire-missing"])
    assert again.exit_code == 0 and "nothing changed" in again.output and "retired" not in again.output


def test_a_missing_source_is_reported_and_kept(new_database, data_copy, monkeypatch):
    url = new_database()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", url)
    extra = data_copy / "sources" / "extra-record.yaml"
    record = yaml.safe_load((data_copy / "sources" / "rhee-2022-jama-psychiatry.yaml").read_text(encoding="utf-8"))
    rewrite(extra, record | {"id": "extra-record"})
    assert runner.invoke(cli, ["load", str(data_copy)]).exit_code == 0
    extra.unlink()
    result = runner.invoke(cli, ["load", str(data_copy), "--retire-missing"])
    assert result.exit_code == 0, result.output
    assert f"1 source(s) in the database are not in {data_copy} and are kept: extra-record" in result.output
    with TestClient(create_app(Settings(database_url=url, response_cache_entries=0))) as client:
        assert client.get("/v1/sources/extra-record").status_code == 200


def claim_revisions(url: str, claim_id: str) -> list[ClaimRevision]:
    engine = create_db_engine(url)
    with Session(engine) as session:
        rows = list(
            session.exec(
                select(ClaimRevision).where(ClaimRevision.claim_id == claim_id).order_by(col(ClaimRevision.version))
            )
        )
    engine.dispose()
    return rows


def test_load_takes_an_exported_bundle_and_round_trips(bundled_url, bundled, new_database, monkeypatch, tmp_path):
    bundle = tmp_path / "evidence.jsonl"
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", bundled_url)
    assert runner.invoke(cli, ["export", "--format", "jsonl", "--output", str(bundle)]).exit_code == 0
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", new_database())
    first = runner.invoke(cli, ["load", str(bundle)])
    assert first.exit_code == 0, (first.output, first.exception)
    assert f"claims   {len(vetted(bundled))} created" in first.output
    assert "synonym" not in first.output  # a bundle leaves the search's synonyms as they are
    again = runner.invoke(cli, ["load", str(bundle)])
    assert f"claims   {len(vetted(bundled))} unchanged" in again.output and "nothing changed" in again.output
    assert runner.invoke(cli, ["export", "--format", "jsonl"]).stdout_bytes == bundle.read_bytes()
    refused = runner.invoke(cli, ["load", str(bundle), "--retire-missing"])
    assert refused.exit_code == 2 and "--retire-missing needs a folder" in refused.output


def test_a_bad_bundle_names_each_line(new_database, monkeypatch, tmp_path):
    bundle = tmp_path / "bad.jsonl"
    bundle.write_text('{"type": "topic", "id": "topic-a", "label": "T", "description": "D"}\nnot json\n{"id": "x"}\n')
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", new_database())
    result = runner.invoke(cli, ["load", str(bundle)])
    assert result.exit_code == 1
    assert f"{bundle}:2: -: not JSON" in result.output
    assert f"{bundle}:3: x: type: missing; use topic, source or claim" in result.output
    assert "2 problem(s)" in result.output

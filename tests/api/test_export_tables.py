"""/v1/export as a JSONL bundle and as CSV: what each holds, read back by independent parsers."""

import csv
import io

import httpx2
import orjson
from fastapi.testclient import TestClient

from app.config import Settings
from app.dataset import read_dataset
from app.main import create_app
from app.services.export_csv import COLUMNS
from tests.cli.test_check import first_claim, rewrite
from tests.conftest import migrated_and_loaded
from tests.helpers import vetted
from tests.live import serving


def csv_rows(response):
    assert response.content.startswith("\ufeff".encode())  # the BOM that makes Excel read UTF-8
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_jsonl_holds_vetted_claims_their_topics_and_every_cited_source_with_text(client, bundled):
    response = client.get("/v1/export?format=jsonl")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.headers["content-disposition"] == 'attachment; filename="ketamine-evidence.jsonl"'
    assert response.content.endswith(b"\n")
    lines = [orjson.loads(line) for line in response.content.splitlines()]
    kinds = [line["type"] for line in lines]
    assert kinds == sorted(kinds, key=["topic", "source", "claim"].index)
    claims = {line["id"]: line for line in lines if line["type"] == "claim"}
    expected = {claim.id: claim for claim in vetted(bundled)}
    assert set(claims) == set(expected)
    for claim_id, line in claims.items():
        assert {k: v for k, v in line.items() if k != "type"} == expected[claim_id].model_dump(mode="json")
    sources = {source.id: source for source in bundled.sources}
    exported = {line["id"]: line for line in lines if line["type"] == "source"}
    cited = {citation.source_id for claim in expected.values() for citation in claim.citations}
    assert set(exported) == cited
    for source_id, line in exported.items():
        assert line["text"] == sources[source_id].text
    topic_order = [topic.id for topic in bundled.topics if topic.id in {claim.topic for claim in expected.values()}]
    assert [line["id"] for line in lines if line["type"] == "topic"] == topic_order


def test_jsonl_honours_the_topic_selection(client, bundled):
    topic = vetted(bundled)[0].topic
    lines = [orjson.loads(line) for line in client.get(f"/v1/export?format=jsonl&topic={topic}").content.splitlines()]
    assert [line["id"] for line in lines if line["type"] == "topic"] == [topic]
    assert {line["id"] for line in lines if line["type"] == "claim"} == {
        claim.id for claim in vetted(bundled) if claim.topic == topic
    }


def test_csv_has_one_row_per_vetted_claim_with_flat_certainty_and_citations(client, bundled):
    response = client.get("/v1/export?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="ketamine-evidence.csv"'
    assert b"\r\n" in response.content and b"\n" not in response.content.replace(b"\r\n", b"")
    rows = csv_rows(response)
    assert list(rows[0]) == COLUMNS
    claims = vetted(bundled)
    assert [row["id"] for row in rows] == [claim.id for claim in claims]
    for row, claim in zip(rows, claims, strict=True):
        assert row["certainty_level"] == claim.certainty.level.value
        assert row["certainty_downgrades"] == "; ".join(d.value for d in claim.certainty.downgrades)
        assert row["citations"] == "; ".join(f"{c.source_id}:{c.relation.value}" for c in claim.citations)
        assert row["pico_population"] == (claim.pico.population if claim.pico else "")
        assert row["url"] == f"http://testserver/v1/claims/{claim.id}"


def test_csv_defuses_cells_a_spreadsheet_would_run_as_formulas(new_database, data_copy):
    path, claim = first_claim(data_copy)
    claim["statement"] = '=HYPERLINK("https://example.org","click")'
    claim["tags"] = ["formula-test"]
    claim["certainty"]["note"] = "-2+3 looks like arithmetic"
    rewrite(path, claim)
    url = migrated_and_loaded(new_database(), read_dataset(data_copy))
    with TestClient(create_app(Settings(database_url=url))) as client:
        rows = {row["id"]: row for row in csv_rows(client.get("/v1/export?format=csv"))}
    assert rows[claim["id"]]["statement"] == "'" + claim["statement"]
    assert rows[claim["id"]]["certainty_note"] == "'-2+3 looks like arithmetic"
    assert rows[claim["id"]]["tags"] == "formula-test"


def test_exports_stream(bundled_url):
    """Over real HTTP (a test client may gather a streamed body into one piece): chunked, never sized up front."""
    with serving({"EVIDENCE_DATABASE_URL": bundled_url}) as server:
        for export_format in ("jsonl", "csv"):
            url = f"{server.url}/v1/export?format={export_format}"
            with httpx2.stream("GET", url, headers={"Accept-Encoding": "identity"}) as response:
                body = response.read()
            assert response.status_code == 200 and body
            assert response.headers["transfer-encoding"] == "chunked" and "content-length" not in response.headers


def test_drafts_stay_out_of_the_bundle_and_the_table(new_database, data_copy):
    path, draft = first_claim(data_copy)
    draft["status"] = "draft"
    rewrite(path, draft)
    url = migrated_and_loaded(new_database(), read_dataset(data_copy))
    with TestClient(create_app(Settings(database_url=url))) as client:
        lines = [orjson.loads(line) for line in client.get("/v1/export?format=jsonl").content.splitlines()]
        rows = csv_rows(client.get("/v1/export?format=csv"))
    assert draft["id"] not in {line["id"] for line in lines if line["type"] == "claim"}
    assert draft["id"] not in {row["id"] for row in rows}
    assert len(rows) == len([line for line in lines if line["type"] == "claim"]) > 0

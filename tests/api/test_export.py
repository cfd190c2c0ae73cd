"""/v1/export of references: every source the selection cites, read back by independent parsers."""

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.dataset import read_dataset
from app.main import create_app
from tests.cli.test_check import first_claim, rewrite
from tests.conftest import migrated_and_loaded
from tests.helpers import assert_problem
from tests.references import (
    bibtex_entries,
    check_bibtex_entry,
    check_csl_item,
    check_ris_record,
    cited_by_vetted,
    csl_items,
    ris_records,
)

READERS = {
    "bibtex": (bibtex_entries, check_bibtex_entry, "application/x-bibtex; charset=utf-8", "bib"),
    "ris": (ris_records, check_ris_record, "application/x-research-info-systems; charset=utf-8", "ris"),
    "csl-json": (csl_items, check_csl_item, "application/vnd.citationstyles.csl+json", "json"),
}


@pytest.mark.parametrize("export_format", sorted(READERS))
def test_whole_export_holds_every_cited_source(client, bundled, export_format):
    read, check, media_type, extension = READERS[export_format]
    response = client.get(f"/v1/export?format={export_format}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == f'attachment; filename="ketamine-evidence.{extension}"'
    records = read(response.text)
    sources = {source.id: source for source in bundled.sources}
    assert set(records) == cited_by_vetted(bundled)
    for source_id, record in records.items():
        check(record, sources[source_id])


@pytest.mark.parametrize("export_format", sorted(READERS))
def test_export_filtered_by_topic_or_claim(client, bundled, export_format):
    read = READERS[export_format][0]
    for topic in {claim.topic for claim in bundled.claims if claim.status == "vetted"}:
        response = client.get(f"/v1/export?format={export_format}&topic={topic}")
        assert set(read(response.text)) == cited_by_vetted(bundled, topic=topic)
    claim = next(claim for claim in bundled.claims if claim.status == "vetted")
    response = client.get(f"/v1/export?format={export_format}&claim={claim.id}")
    assert set(read(response.text)) == {citation.source_id for citation in claim.citations}


def test_export_refuses_what_it_cannot_select(client):
    body = assert_problem(client.get("/v1/export?format=mla"), 422, "invalid-parameters")
    for name in ("bibtex", "ris", "csl-json", "fhir", "claimreview"):
        assert f"'{name}'" in body["errors"][0]["msg"]
    assert_problem(client.get("/v1/export"), 422, "invalid-parameters")
    assert "topic" in assert_problem(client.get("/v1/export?format=ris&topic=nowhere"), 404, "not-found")["detail"]
    missing_claim = client.get("/v1/export?format=ris&claim=no-such-claim")
    assert "claim" in assert_problem(missing_claim, 404, "not-found")["detail"]


def test_drafts_stay_out_of_every_export(new_database, data_copy):
    path, draft = first_claim(data_copy)
    draft["status"] = "draft"
    rewrite(path, draft)
    dataset = read_dataset(data_copy)
    with TestClient(create_app(Settings(database_url=migrated_and_loaded(new_database(), dataset)))) as client:
        for export_format, (read, *_) in READERS.items():
            assert set(read(client.get(f"/v1/export?format={export_format}").text)) == cited_by_vetted(dataset)
        entries = client.get("/v1/export?format=fhir").json()["entry"]
        evidence = {e["resource"]["id"] for e in entries if e["resource"]["resourceType"] == "Evidence"}
        reviewed = {
            review["url"].rsplit("/", 1)[1] for review in client.get("/v1/export?format=claimreview").json()["@graph"]
        }
        assert_problem(client.get(f"/v1/export?format=fhir&claim={draft['id']}"), 404, "not-found")
    public = {claim.id for claim in dataset.claims if claim.status == "vetted"}
    assert draft["id"] not in public and evidence == reviewed == public

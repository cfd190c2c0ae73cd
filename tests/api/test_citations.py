"""One source's reference in every format, each read back by a parser we did not write."""

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from fastapi.testclient import TestClient

from app.config import Settings
from app.dataset import read_dataset
from app.main import create_app
from app.models.source import SourceIn
from tests.conftest import migrated_and_loaded
from tests.helpers import assert_problem
from tests.references import (
    bibtex_entries,
    check_bibtex_entry,
    check_csl_item,
    check_ris_record,
    csl_items,
    ris_records,
)

STYLES = ["apa", "vancouver", "bibtex", "ris", "csl-json"]


def literature(bundled) -> list[SourceIn]:
    return [source for source in bundled.sources if source.kind != "material"]


def varies_on_accept(response) -> bool:
    return "accept" in [name.strip().lower() for name in response.headers.get("vary", "").split(",")]


def test_csl_json_is_valid_and_carries_the_record(client, bundled):
    for source in bundled.sources:
        response = client.get(f"/v1/sources/{source.id}/citation?style=csl-json")
        assert response.headers["content-type"] == "application/vnd.citationstyles.csl+json"
        check_csl_item(csl_items(f"[{response.text}]")[source.id], source)


def test_bibtex_parses_back_to_the_record(client, bundled):
    for source in bundled.sources:
        response = client.get(f"/v1/sources/{source.id}/citation?style=bibtex")
        assert response.headers["content-type"] == "application/x-bibtex; charset=utf-8"
        (entry,) = bibtex_entries(response.text).values()
        check_bibtex_entry(entry, source)


def test_ris_parses_back_to_the_record(client, bundled):
    for source in bundled.sources:
        response = client.get(f"/v1/sources/{source.id}/citation?style=ris")
        assert response.headers["content-type"] == "application/x-research-info-systems; charset=utf-8"
        (record,) = ris_records(response.text).values()
        check_ris_record(record, source)


def test_formatted_styles_name_what_the_record_holds(client, bundled):
    for source in literature(bundled):
        apa = client.get(f"/v1/sources/{source.id}/citation?style=apa")
        vancouver = client.get(f"/v1/sources/{source.id}/citation?style=vancouver")
        for response in (apa, vancouver):
            assert response.headers["content-type"] == "text/plain; charset=utf-8"
            assert source.title.rstrip(".") in response.text
            if source.doi:
                assert source.doi in response.text
        if source.authors:
            first = source.authors[0]
            assert apa.text.startswith(f"{first.family}, {first.given[0]}.")
            assert vancouver.text.startswith(f"{first.family} {first.given.split()[0]}")
            assert ("et al." in vancouver.text) == (len(source.authors) > 6)
        if source.issued:
            assert f"({source.issued[:4]}" in apa.text
            assert source.issued[:4] in vancouver.text


def test_unknown_style_lists_the_allowed_ones(client, bundled):
    body = assert_problem(
        client.get(f"/v1/sources/{bundled.sources[0].id}/citation?style=mla"), 422, "invalid-parameters"
    )
    assert body["errors"][0]["loc"] == ["query", "style"]
    for style in STYLES:
        assert f"'{style}'" in body["errors"][0]["msg"]
    assert_problem(client.get("/v1/sources/nobody-2099/citation?style=apa"), 404, "not-found")


def test_a_source_missing_fields_still_renders(new_database, data_copy):
    bare = "id: bare-record\nkind: web-page\ntitle: Only a title & a link\nurl: https://www.fda.gov/a\n"
    (data_copy / "sources" / "bare-record.yaml").write_text(bare + 'accessed: "2026-11-26"\n' + _RELIABILITY)
    dataset = read_dataset(data_copy)
    assert dataset.ok, dataset.problems
    with TestClient(create_app(Settings(database_url=migrated_and_loaded(new_database(), dataset)))) as client:
        for style in STYLES:
            response = client.get(f"/v1/sources/bare-record/citation?style={style}")
            assert response.status_code == 200, response.text
        assert "Only a title & a link" in client.get("/v1/sources/bare-record/citation?style=apa").text
        (record,) = rispy.loads(client.get("/v1/sources/bare-record/citation?style=ris").text)
        assert record["urls"] == ["https://www.fda.gov/a"] and "authors" not in record
        entry = bibtexparser.parse_string(
            client.get("/v1/sources/bare-record/citation?style=bibtex").text,
            append_middleware=[LatexDecodingMiddleware()],
        ).entries[0]
        assert entry.fields_dict["title"].value == "Only a title & a link"


_RELIABILITY = "reliability: {rating: low, note: A test record.}\nverified_at: nowhere, a test record\n"


@pytest.mark.parametrize(
    ("accept", "style", "content_type"),
    [
        ("application/vnd.citationstyles.csl+json", "csl-json", "application/vnd.citationstyles.csl+json"),
        ("application/x-bibtex", "bibtex", "application/x-bibtex; charset=utf-8"),
        ("application/x-research-info-systems", "ris", "application/x-research-info-systems; charset=utf-8"),
        ("text/x-bibliography", "apa", "text/x-bibliography; charset=utf-8"),
        ("text/x-bibliography; style=vancouver", "vancouver", "text/x-bibliography; charset=utf-8"),
        ("application/json;q=0.5, application/x-bibtex", "bibtex", "application/x-bibtex; charset=utf-8"),
    ],
)
def test_accept_negotiates_the_reference(client, bundled, accept, style, content_type):
    source_id = literature(bundled)[0].id
    response = client.get(f"/v1/sources/{source_id}", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == content_type
    assert varies_on_accept(response)
    assert response.content == client.get(f"/v1/sources/{source_id}/citation?style={style}").content


def test_json_stays_the_default_and_unknown_types_are_406(client, bundled):
    source_id = bundled.sources[0].id
    for accept in (None, "*/*", "application/json", "text/html,application/xhtml+xml,*/*;q=0.8"):
        response = client.get(f"/v1/sources/{source_id}", headers={"Accept": accept} if accept else {})
        assert response.headers["content-type"] == "application/json"
        assert varies_on_accept(response)
        assert response.json()["id"] == source_id
    body = assert_problem(
        client.get(f"/v1/sources/{source_id}", headers={"Accept": "application/xml"}), 406, "not-acceptable"
    )
    assert "application/x-bibtex" in body["detail"]
    refused = client.get(f"/v1/sources/{source_id}", headers={"Accept": "text/x-bibliography; style=mla"})
    assert "vancouver" in assert_problem(refused, 406, "not-acceptable")["detail"]
    assert varies_on_accept(refused)


def test_the_response_cache_keeps_one_entry_per_accept(bundled_url, bundled):
    source_id = literature(bundled)[0].id
    with TestClient(create_app(Settings(database_url=bundled_url))) as client:
        kinds = ["application/x-bibtex", "application/json", "application/x-bibtex", "application/json"]
        bodies = [client.get(f"/v1/sources/{source_id}", headers={"Accept": accept}) for accept in kinds]
    assert [response.headers["content-type"].split(";")[0] for response in bodies] == [
        "application/x-bibtex",
        "application/json",
        "application/x-bibtex",
        "application/json",
    ]
    assert bodies[0].content == bodies[2].content and bodies[1].content == bodies[3].content
    assert varies_on_accept(bodies[2])

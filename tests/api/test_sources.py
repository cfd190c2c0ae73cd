import hashlib

from tests.helpers import assert_problem, walk


def test_sources_list_all_without_text(client, bundled):
    items = walk(client, "/v1/sources?limit=5")
    assert [item["id"] for item in items] == sorted(source.id for source in bundled.sources)
    for item in items:
        assert "text" not in item and "content_sha256" not in item


def test_source_fields_as_curated_plus_text_digest(client, bundled):
    for source in bundled.sources:
        body = client.get(f"/v1/sources/{source.id}").json()
        written = source.model_dump(mode="json", exclude={"text"})
        assert {k: body[k] for k in written} == written
        if source.text is None:
            assert body["text_sha256"] is None and body["text_length"] is None
        else:
            assert body["text_sha256"] == hashlib.sha256(source.text.encode()).hexdigest()
            assert body["text_length"] == len(source.text)
        assert body["version"] == 1


def test_material_text_is_byte_exact(client, bundled):
    response = client.get("/v1/sources/seed-article/text")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    seed = next(source for source in bundled.sources if source.id == "seed-article")
    assert seed.kind == "material"
    assert response.content == seed.text.encode("utf-8")
    assert hashlib.sha256(response.content).hexdigest() == client.get("/v1/sources/seed-article").json()["text_sha256"]


def test_kind_filter(client, bundled):
    items = client.get("/v1/sources?kind=meta-analysis").json()["items"]
    assert [i["id"] for i in items] == sorted(s.id for s in bundled.sources if s.kind == "meta-analysis")
    assert_problem(client.get("/v1/sources?kind=blog"), 422, "invalid-parameters")


def test_text_of_a_source_without_text_is_404(client, bundled):
    without = next(source for source in bundled.sources if source.text is None)
    body = assert_problem(client.get(f"/v1/sources/{without.id}/text"), 404, "not-found")
    assert "no text" in body["detail"]


def test_unknown_source_is_404(client):
    assert_problem(client.get("/v1/sources/nobody-2099"), 404, "not-found")
    assert_problem(client.get("/v1/sources/nobody-2099/text"), 404, "not-found")

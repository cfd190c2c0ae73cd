import pytest
from bs4 import Tag
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.models.claim import ClaimStatus
from tests.conftest import migrated_and_loaded
from tests.explore.html import hrefs, page
from tests.helpers import vetted


def quoted_text(soup, claim_id: str) -> str:
    """What the page highlights for one claim: its marked runs, in order."""
    marks = soup.select(".held-text mark.quote")
    return "".join(mark.get_text() for mark in marks if claim_id in mark["data-claims"].split())


def material_of(dataset):
    return next(source for source in dataset.sources if source.kind == "material")


def test_material_page_highlights_every_vetted_claims_quote(pages, bundled):
    material = material_of(bundled)
    soup = page(pages.get(f"/explore/sources/{material.id}"))
    for claim in vetted(bundled):
        stated = sorted((c for c in claim.citations if c.source_id == material.id), key=lambda c: c.locator.start)
        assert quoted_text(soup, claim.id) == "".join(citation.quote for citation in stated)
        assert soup.select_one(f"#quote-{claim.id}") is not None
        assert f"/explore/claims/{claim.id}" in hrefs(soup, ".held-text a.claim-ref")


def test_material_page_shows_the_whole_text_and_what_no_claim_covers(pages, bundled):
    material = material_of(bundled)
    soup = page(pages.get(f"/explore/sources/{material.id}"))
    held = soup.select_one(".held-text")
    for hidden in held.select(".vh, a.claim-ref, .anchor"):
        hidden.decompose()
    assert held.get_text() == material.text
    spans = [
        (c.locator.start, c.locator.end)
        for claim in vetted(bundled)
        for c in claim.citations
        if c.source_id == material.id
    ]
    offset, uncovered = 0, []
    for node in held.children:
        text = node.get_text() if isinstance(node, Tag) else str(node)
        covered = [(start, end) for start, end in spans if start < offset + len(text) and offset < end]
        if isinstance(node, Tag) and "uncovered" in node["class"]:
            assert covered == [], text
            uncovered.append(text)
        elif not isinstance(node, Tag):
            assert covered == [] and not any(char.isalnum() for char in text), text
        offset += len(text)
    assert any("Report this page" in text for text in uncovered)


def test_claim_refs_carry_the_verdict_in_words(pages, bundled):
    soup = page(pages.get(f"/explore/sources/{material_of(bundled).id}"))
    verdicts = {claim.id: claim.verdict.value for claim in vetted(bundled)}
    for ref in soup.select(".held-text a.claim-ref"):
        claim_id = ref["href"].rsplit("/", 1)[1]
        assert f"verdict-{verdicts[claim_id]}" in ref["class"]
        assert ref.get_text(strip=True)


def test_literature_page_shows_record_reliability_and_citing_claims(pages, bundled):
    source = next(s for s in bundled.sources if s.kind != "material" and s.doi)
    soup = page(pages.get(f"/explore/sources/{source.id}"))
    assert soup.h1.get_text() == source.title
    assert f"https://doi.org/{source.doi}" in hrefs(soup, ".record a")
    assert source.reliability.note in soup.get_text(" ")
    assert source.doi in soup.select_one(".reference").get_text()
    for href in hrefs(soup, ".use-record a"):
        assert pages.get(href).status_code == 200, href
    citing = sorted({claim.id for claim in vetted(bundled) for c in claim.citations if c.source_id == source.id})
    assert sorted(href.rsplit("/", 1)[1] for href in hrefs(soup, ".citing a")) == citing


def test_quotes_into_literature_are_highlighted_and_link_back(pages, bundled):
    quoted = [
        (claim.id, citation)
        for claim in vetted(bundled)
        for citation in claim.citations
        if citation.relation != "states" and citation.quote
    ]
    assert quoted
    for claim_id, citation in quoted:
        soup = page(pages.get(f"/explore/sources/{citation.source_id}"))
        assert citation.quote in quoted_text(soup, claim_id)
        assert f"/explore/claims/{claim_id}" in hrefs(soup, ".held-text a.claim-ref")


def test_unknown_source_is_a_404_page(pages):
    page(pages.get("/explore/sources/no-such-source"), 404)


@pytest.fixture(scope="module")
def with_a_draft(new_database, bundled):
    """The bundled data with one claim sent back to draft."""
    draft_id = vetted(bundled)[0].id
    claims = [c.model_copy(update={"status": ClaimStatus.draft}) if c.id == draft_id else c for c in bundled.claims]
    url = migrated_and_loaded(new_database(), bundled.__class__(**{**vars(bundled), "claims": claims}))
    with TestClient(create_app(Settings(database_url=url, response_cache_entries=0))) as client:
        yield client, draft_id


def test_drafts_stay_out_of_every_page(with_a_draft, bundled):
    client, draft_id = with_a_draft
    soup = page(client.get(f"/explore/sources/{material_of(bundled).id}"))
    assert quoted_text(soup, draft_id) == ""
    assert f"/explore/claims/{draft_id}" not in hrefs(soup, "a")
    assert draft_id not in [h.rsplit("/", 1)[1] for h in hrefs(page(client.get("/explore/claims?limit=200")), ".hit a")]
    page(client.get(f"/explore/claims/{draft_id}"), 401)

from urllib.parse import quote

import pytest

from app.api.v1.export import EXPORTERS
from app.domain.citations import source_link
from app.explore.words import CERTAINTY, DOWNGRADES, VERDICTS
from tests.explore.html import hrefs, page, texts
from tests.helpers import vetted


@pytest.fixture(scope="module")
def claims(bundled):
    return {claim.id: claim for claim in vetted(bundled)}


def test_every_quoted_span_is_highlighted_at_its_checked_offsets(pages, claims):
    for claim in claims.values():
        soup = page(pages.get(f"/explore/claims/{claim.id}"))
        marks = soup.select("figure.passage mark.quote")
        stated = [c for c in claim.citations if c.relation == "states"]
        assert [mark.get_text() for mark in marks] == [c.quote for c in stated]
        assert [(int(m["data-start"]), int(m["data-end"])) for m in marks] == [
            (c.locator.start, c.locator.end) for c in stated
        ]


def test_passage_is_shown_in_its_context(pages, bundled, claims):
    material = next(source for source in bundled.sources if source.kind == "material")
    for claim in claims.values():
        soup = page(pages.get(f"/explore/claims/{claim.id}"))
        for passage in soup.select("figure.passage blockquote"):
            shown = "".join(str(part) for part in passage.p.strings if part not in ("… ", " …"))
            assert shown in material.text
            assert len(shown) >= len(passage.mark.get_text())


def test_verdict_and_certainty_are_explained_in_words(pages, claims):
    claim = claims["ect-more-efficacious-than-ketamine"]
    soup = page(pages.get(f"/explore/claims/{claim.id}"))
    verdict = soup.select_one(".verdict-box")
    assert VERDICTS[claim.verdict][0] in verdict.get_text()
    assert VERDICTS[claim.verdict][1] in verdict.get_text()
    certainty = soup.select_one(".certainty-box").get_text(" ", strip=True)
    assert CERTAINTY[claim.certainty.level][0] in certainty and CERTAINTY[claim.certainty.level][1] in certainty
    assert claim.certainty.downgrades
    assert texts(soup, ".downgrades li") == [
        f"{DOWNGRADES[d][0]}. {DOWNGRADES[d][1]}" for d in claim.certainty.downgrades
    ]
    assert claim.certainty.note in soup.get_text(" ")


def test_pico_and_assessment_are_shown(pages, claims):
    with_pico = [claim for claim in claims.values() if claim.pico is not None]
    assert with_pico
    for claim in with_pico:
        soup = page(pages.get(f"/explore/claims/{claim.id}"))
        assert texts(soup, ".pico dd") == [
            claim.pico.population,
            claim.pico.intervention,
            claim.pico.comparator,
            claim.pico.outcome,
        ]
        assert soup.select_one(".assessment").get_text() == claim.assessment


def test_every_source_is_cited_with_relation_note_and_canonical_link(pages, bundled, claims):
    sources = {source.id: source for source in bundled.sources}
    for claim in claims.values():
        soup = page(pages.get(f"/explore/claims/{claim.id}"))
        items = soup.select(".citations > li")
        assert len(items) == len(claim.citations)
        for item, citation in zip(items, claim.citations, strict=True):
            source = sources[citation.source_id]
            assert f"relation-{citation.relation.value}" in item["class"]
            assert item.select_one(".source-title a")["href"] == f"/explore/sources/{source.id}"
            assert item.select_one(".source-title").get_text(strip=True) == source.title
            assert item.select_one(".note").get_text() == citation.note
            link = source_link(source.model_dump())
            assert hrefs(item, ".canonical a") == ([link] if link else [])


def test_dois_link_to_doi_org(pages, claims):
    soup = page(pages.get("/explore/claims/ect-more-efficacious-than-ketamine"))
    assert all(href.startswith("https://doi.org/10.") for href in hrefs(soup, ".canonical a")[1:])


def test_revision_history_and_json_links(pages, claims):
    claim_id = "ketamine-can-be-addictive"
    soup = page(pages.get(f"/explore/claims/{claim_id}"))
    revisions = pages.get(f"/v1/claims/{claim_id}/revisions").json()["items"]
    assert texts(soup, ".revisions tbody th") == [str(r["version"]) for r in revisions]
    assert texts(soup, ".revisions tbody td:nth-of-type(2)") == [r["changed_by"] for r in revisions]
    links = hrefs(soup, ".use-record a")
    assert {f"/v1/export?format={name}&claim={claim_id}" for name in EXPORTERS} <= set(links)
    for href in links:
        assert pages.get(href).status_code == 200, href


def test_tags_link_to_searches(pages, claims):
    claim = next(claim for claim in claims.values() if claim.tags)
    soup = page(pages.get(f"/explore/claims/{claim.id}"))
    assert hrefs(soup, ".tags a") == [f"/explore/claims?tag={quote(tag)}" for tag in claim.tags]


def test_cite_as_names_version_review_date_and_address(pages, claims):
    claim_id = "ketamine-can-be-addictive"
    record = pages.get(f"/v1/claims/{claim_id}").json()
    cite = page(pages.get(f"/explore/claims/{claim_id}")).select_one(".cite-as").get_text(" ", strip=True)
    assert f"version {record['version']}" in cite and record["reviewed_at"][:10] in cite
    assert cite.endswith(f"http://testserver/explore/claims/{claim_id}")

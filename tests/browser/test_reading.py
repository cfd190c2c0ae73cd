"""What a researcher does in the explorer, in a real browser, checked against the API's answers."""

import httpx2
import pytest

from tests.helpers import vetted


def claim_ids(page) -> list[str]:
    return [href.rsplit("/", 1)[1] for href in page.locator(".hit h3 a").evaluate_all("as => as.map(a => a.href)")]


def test_search_filter_page_forward_open_a_claim_and_follow_a_source(live_server, page, bundled):
    page.goto(f"{live_server}/explore")
    page.get_by_role("searchbox", name="Search the claims").fill("ECT")
    page.get_by_role("searchbox", name="Search the claims").press("Enter")
    page.wait_for_url("**/explore/claims?q=ECT")
    api = httpx2.get(f"{live_server}/v1/claims", params={"q": "ECT", "facets": "verdict", "limit": 200}).json()
    assert page.locator("#results-title").inner_text().startswith(f"{api['total']} claim")

    verdict = api["facets"]["verdict"][0]
    page.locator(f".facet[aria-labelledby=facet-verdict] a[href*='verdict={verdict['value']}']").first.click()
    page.wait_for_url(f"**/explore/claims?q=ECT&verdict={verdict['value']}")
    assert page.locator(".hit").count() == verdict["count"]
    assert page.locator(".hit .badge.verdict").all_inner_texts() == [verdict["label"]] * verdict["count"]

    page.get_by_role("link", name="Claims", exact=True).click()
    first_page = claim_ids(page)
    page.get_by_role("link", name="Next page").click()
    second_page = claim_ids(page)
    assert first_page + second_page == [claim.id for claim in vetted(bundled)]
    assert "cursor=" in page.url

    page.locator(".hit h3 a").first.click()
    claim = httpx2.get(f"{live_server}/v1/claims/{second_page[0]}").json()
    assert page.locator("h1").inner_text() == claim["statement"]
    literature = next(c for c in claim["citations"] if c["relation"] != "states")
    page.locator(".citation .source-title a", has_text=literature["source"]["title"]).first.click()
    page.wait_for_url(f"**/explore/sources/{literature['source_id']}")
    assert page.locator("h1").inner_text() == literature["source"]["title"]


def test_each_claims_highlighted_span_is_its_quote(live_server, page, bundled):
    for claim in vetted(bundled):
        page.goto(f"{live_server}/explore/claims/{claim.id}")
        marks = page.locator("figure.passage mark.quote")
        quotes = [c.quote for c in claim.citations if c.relation == "states"]
        assert marks.evaluate_all("ms => ms.map(m => m.textContent)") == quotes
        assert marks.first.is_visible()


def test_material_page_highlights_every_vetted_claims_quote(live_server, page, bundled):
    material = next(source for source in bundled.sources if source.kind == "material")
    page.goto(f"{live_server}/explore/material")
    page.wait_for_url(f"**/explore/sources/{material.id}")
    highlighted = page.locator(".held-text mark.quote").evaluate_all(
        "ms => ms.map(m => [m.dataset.claims.split(' '), m.textContent])"
    )
    for claim in vetted(bundled):
        stated = sorted((c for c in claim.citations if c.source_id == material.id), key=lambda c: c.locator.start)
        shown = "".join(text for claims, text in highlighted if claim.id in claims)
        assert shown == "".join(c.quote for c in stated), claim.id
        link = page.locator(f".held-text a.claim-ref[href='/explore/claims/{claim.id}']")
        assert link.count() == len(stated) and link.first.is_visible()


@pytest.mark.parametrize("width", [390, 1280])
def test_pages_fit_the_screen_without_sideways_scrolling(live_server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    for path in [
        "/explore",
        "/explore/claims?q=ketamine",
        "/explore/claims/ect-more-efficacious-than-ketamine",
        "/explore/material",
    ]:
        tab.goto(live_server + path)
        assert tab.evaluate("document.documentElement.scrollWidth") <= width, path
    context.close()


def test_print_shows_the_record_without_navigation(live_server, page):
    page.goto(f"{live_server}/explore/claims/ect-more-efficacious-than-ketamine")
    page.emulate_media(media="print")
    assert not page.locator(".site-nav").is_visible()
    assert not page.locator(".breadcrumb").is_visible()
    for selector in ["h1", ".verdict-box", "figure.passage mark.quote", ".citations", ".revisions"]:
        assert page.locator(selector).first.is_visible(), selector
    assert page.pdf(format="A4")[:4] == b"%PDF"

"""axe-core, from its npm package, finds no serious or critical problem on any page; keyboard use works."""

import pytest

from tests.browser.live import axe_core

PAGES = [
    "/explore",
    "/explore/claims",
    "/explore/claims?q=ECT&verdict=supported",
    "/explore/claims?q=zebra",
    "/explore/claims/ect-more-efficacious-than-ketamine",
    "/explore/claims/ketamine-legalized-for-therapeutic-benefits",
    "/explore/sources/seed-article",
    "/explore/sources/anand-2023-nejm",
    "/explore/claims/no-such-claim",
]


@pytest.fixture(scope="module")
def axe_script() -> str:
    return axe_core().read_text(encoding="utf-8")


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_violations(live_server, browser, axe_script, path, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server + path)
    page.add_script_tag(content=axe_script)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    context.close()
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert results["testEngine"]["name"] == "axe-core"


def test_keyboard_reaches_content_with_a_visible_focus(live_server, page):
    page.goto(f"{live_server}/explore/claims/ect-more-efficacious-than-ketamine")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to content"
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert focused.evaluate("e => e.closest('main') !== null && e.tagName") == "A"
    assert focused.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"


def test_search_by_keyboard_alone(live_server, page):
    page.goto(f"{live_server}/explore")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "q":
            break
    else:
        raise AssertionError("the search box is not reachable with Tab")
    page.keyboard.type("liver")
    page.keyboard.press("Enter")
    page.wait_for_url("**/explore/claims?q=liver")
    assert page.locator(".hit").count() > 0


def test_verdicts_are_told_in_words_not_only_colour(live_server, page):
    page.goto(f"{live_server}/explore/material")
    labels = page.locator(".held-text a.claim-ref").all_inner_texts()
    assert labels and all(any(ch.isalpha() for ch in label) for label in labels)

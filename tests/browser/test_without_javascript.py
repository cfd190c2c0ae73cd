"""The explorer needs no script: search, facets, pages and links all work with JavaScript off."""

from tests.helpers import vetted


def test_search_filter_page_and_read_with_javascript_off(live_server, browser, bundled):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/explore")
    page.get_by_role("searchbox", name="Search the claims").fill("ketamine")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/explore/claims?q=ketamine")
    total = int(page.locator("#results-title").inner_text().split()[0])
    assert total > 0

    page.locator("#sort").select_option("certainty")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/explore/claims?q=ketamine&sort=certainty")

    page.locator(".facet[aria-labelledby=facet-topic] a").first.click()
    page.wait_for_url(lambda url: "topic=" in url)
    assert "topic=" in page.url and "sort=certainty" in page.url and "q=ketamine" in page.url
    page.locator(".chips a").first.click()
    page.wait_for_url(lambda url: "topic=" not in url)

    page.goto(f"{live_server}/explore/claims")
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url(lambda url: "cursor=" in url)
    assert page.locator(".hit").count() == len(vetted(bundled)) - 20

    page.locator(".hit h3 a").first.click()
    page.locator("figure.passage mark.quote").first.wait_for()
    assert page.locator("figure.passage mark.quote").first.is_visible()
    page.get_by_role("link", name="See them in the whole article").first.click()
    page.locator(".held-text mark.quote").first.wait_for()
    assert page.locator(".held-text mark.quote").count() > 0
    context.close()


def test_long_facets_open_without_script(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/explore/claims")
    more = page.locator(".facet[aria-labelledby=facet-source] details")
    hidden = more.locator("a").first
    assert not hidden.is_visible()
    more.locator("summary").click()
    assert hidden.is_visible()
    context.close()

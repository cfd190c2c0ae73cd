from urllib.parse import parse_qs, urlsplit

import pytest

from app.api.v1.export import EXPORTERS
from tests.explore.html import hrefs, page, texts
from tests.helpers import vetted


def hit_ids(soup) -> list[str]:
    return [href.rsplit("/", 1)[1] for href in hrefs(soup, ".hit h3 a")]


def walk_pages(pages, url: str) -> list[str]:
    """Follow the Next page links to the end, as a reader clicking through would."""
    ids: list[str] = []
    while url:
        soup = page(pages.get(url))
        ids += hit_ids(soup)
        following = soup.select_one(".pager a[rel=next]")
        url = following["href"] if following else ""
    return ids


def test_keyset_pages_cover_every_vetted_claim_once_in_order(pages, bundled):
    assert walk_pages(pages, "/explore/claims?limit=5") == [claim.id for claim in vetted(bundled)]


def test_next_page_link_keeps_the_whole_search_in_the_url(pages):
    soup = page(pages.get("/explore/claims?q=ketamine&topic=mechanism&limit=2"))
    link = urlsplit(soup.select_one(".pager a[rel=next]")["href"])
    params = parse_qs(link.query)
    assert link.path == "/explore/claims"
    assert {key: value for key, value in params.items() if key != "cursor"} == {
        "q": ["ketamine"],
        "topic": ["mechanism"],
        "limit": ["2"],
    }
    second = page(pages.get(soup.select_one(".pager a[rel=next]")["href"]))
    assert "/explore/claims?q=ketamine&topic=mechanism&limit=2" in hrefs(second, ".pager a")


def test_a_cursor_cannot_page_another_search(pages):
    soup = page(pages.get("/explore/claims?limit=2"))
    cursor = parse_qs(urlsplit(soup.select_one(".pager a[rel=next]")["href"]).query)["cursor"][0]
    page(pages.get(f"/explore/claims?limit=2&verdict=supported&cursor={cursor}"), 400)


@pytest.mark.parametrize("query", ["topic=safety", "verdict=supported&min_certainty=moderate", "tag=ect", "q=liver"])
def test_results_and_facets_match_the_api(pages, query):
    api = pages.get(f"/v1/claims?{query}&facets=topic,verdict,source,tag&limit=200").json()
    soup = page(pages.get(f"/explore/claims?{query}&limit=200"))
    assert sorted(hit_ids(soup)) == sorted(item["id"] for item in api["items"])
    assert soup.select_one("#results-title").get_text(" ", strip=True).startswith(f"{api['total']} claim")
    params = parse_qs(query)
    for facet in ("topic", "verdict", "source", "tag"):
        if facet in params:
            continue  # a set filter's own facet is counted without it, so its other values stay reachable
        shown = {
            parse_qs(urlsplit(a["href"]).query)[facet][0]: int(a.select_one(".count").contents[0])
            for a in soup.select(f".facet[aria-labelledby=facet-{facet}] a")
        }
        assert shown == {item["value"]: item["count"] for item in api["facets"][facet]}


def test_a_set_filter_lists_its_alternatives_and_can_be_removed(pages, bundled):
    soup = page(pages.get("/explore/claims?topic=safety&q=ketamine"))
    topics = soup.select(".facet[aria-labelledby=facet-topic] a")
    assert len(topics) > 1
    selected = [a for a in topics if a.get("aria-current") == "true"]
    assert len(selected) == 1 and selected[0]["href"] == "/explore/claims?q=ketamine"
    assert "/explore/claims?q=ketamine" in hrefs(soup, ".chips a")
    assert ("topic", "safety") in [(i["name"], i["value"]) for i in soup.select(".search-form input[type=hidden]")]


def test_certainty_facet_counts_claims_at_or_above_each_level(pages, bundled):
    soup = page(pages.get("/explore/claims"))
    claims = vetted(bundled)
    ranks = {"high": 4, "moderate": 3, "low": 2, "very_low": 1}
    for link in soup.select(".facet[aria-labelledby=facet-min_certainty] a"):
        level = parse_qs(urlsplit(link["href"]).query)["min_certainty"][0]
        expected = sum(1 for claim in claims if ranks[claim.certainty.level.value] >= ranks[level])
        assert int(link.select_one(".count").contents[0]) == expected


def test_hits_show_the_marked_fragment_and_escape_everything_else(pages):
    soup = page(pages.get("/explore/claims?q=ECT"))
    fragments = soup.select(".hit .fragment")
    assert fragments and all(fragment.find("mark") for fragment in fragments)
    assert {mark.get_text().lower() for f in fragments for mark in f.find_all("mark")} >= {"ect"}
    assert not soup.select(".hit .fragment script")


def test_each_hit_shows_verdict_and_certainty_in_words(pages, bundled):
    soup = page(pages.get("/explore/claims?limit=200"))
    by_id = {claim.id: claim for claim in vetted(bundled)}
    for hit in soup.select(".hit"):
        claim = by_id[hit.h3.a["href"].rsplit("/", 1)[1]]
        assert hit.select_one(".badge.verdict")["class"][-1] == f"verdict-{claim.verdict.value}"
        assert hit.select_one(".badge.verdict").get_text(strip=True)
        assert f"certainty-{claim.certainty.level.value}" in hit.select_one(".badge.certainty")["class"]


def test_blank_form_fields_mean_unset(pages):
    blank = page(pages.get("/explore/claims?q=&topic=&verdict=&min_certainty=&source=&tag=&sort=&cursor="))
    plain = page(pages.get("/explore/claims"))
    assert hit_ids(blank) == hit_ids(plain)
    assert blank.h1.get_text() == "All claims"


def test_sort_is_kept_in_the_url_and_applied(pages, bundled):
    soup = page(pages.get("/explore/claims?sort=certainty&limit=200"))
    ranks = {"high": 4, "moderate": 3, "low": 2, "very_low": 1}
    levels = {claim.id: ranks[claim.certainty.level.value] for claim in vetted(bundled)}
    shown = [levels[i] for i in hit_ids(soup)]
    assert shown == sorted(shown, reverse=True)
    assert soup.select_one("#sort option[selected]")["value"] == "certainty"
    assert all("sort=certainty" in href for href in hrefs(soup, ".facet a"))


def test_no_match_says_so_and_offers_a_way_out(pages):
    soup = page(pages.get("/explore/claims?q=zebra&topic=safety"))
    assert not soup.select(".hit")
    assert "No claim matches" in soup.select_one(".empty").get_text()
    assert "/explore/claims?q=zebra" in hrefs(soup, ".empty a")


def test_the_same_search_is_offered_as_json(pages):
    soup = page(pages.get("/explore/claims?q=liver&verdict=partly-supported"))
    link = soup.select_one(".api-link a")["href"]
    assert link == "/v1/claims?q=liver&verdict=partly-supported"
    assert pages.get(link).status_code == 200
    assert texts(soup, ".hit h3") == [item["statement"] for item in pages.get(link).json()["items"]]


def test_a_topic_search_offers_its_exports(pages):
    soup = page(pages.get("/explore/claims?topic=safety"))
    exports = [href for href in hrefs(soup, ".api-link a") if href.startswith("/v1/export")]
    assert sorted(exports) == sorted(f"/v1/export?format={name}&topic=safety" for name in EXPORTERS)
    assert all(pages.get(href).status_code == 200 for href in exports)
    assert not [h for h in hrefs(page(pages.get("/explore/claims")), ".api-link a") if h.startswith("/v1/export")]

from app.services.snippets import NOTICE
from tests.explore.html import hrefs, page, texts
from tests.helpers import vetted


def test_home_lists_every_topic_with_its_vetted_claim_count(pages, bundled):
    soup = page(pages.get("/explore"))
    cards = soup.select(".topic-grid li")
    claims = vetted(bundled)
    assert [card.h3.get_text(strip=True) for card in cards] == [topic.label for topic in bundled.topics]
    for card, topic in zip(cards, bundled.topics, strict=True):
        count = sum(1 for claim in claims if claim.topic == topic.id)
        assert card.select_one(".count").get_text(strip=True).startswith(f"{count} claim")
        assert card.a["href"] == f"/explore/claims?topic={topic.id}"


def test_home_counts_verdicts_and_says_where_to_start(pages, bundled):
    soup = page(pages.get("/explore"))
    claims = vetted(bundled)
    links = hrefs(soup, ".verdict-summary a")
    assert sorted(links) == sorted(f"/explore/claims?verdict={v}" for v in {c.verdict.value for c in claims})
    assert f"browse all {len(claims)} claims" in soup.select_one(".start").get_text(" ", strip=True)
    assert "/explore/material" in hrefs(soup, ".start a")
    assert soup.select_one("form[role=search] input[name=q]")["id"] == soup.select_one("form[role=search] label")["for"]


def test_home_carries_the_medical_notice_and_dataset_facts(pages, bundled):
    soup = page(pages.get("/explore"))
    assert NOTICE in soup.select_one(".notice").get_text(" ", strip=True)
    facts = dict(zip(texts(soup, ".facts dt"), texts(soup, ".facts dd"), strict=True))
    assert facts["Claims reviewed"] == str(len(vetted(bundled)))
    assert facts["Sources"] == str(len(bundled.sources))
    assert facts["API version"] == pages.app.version
    assert facts["Release"] == bundled.release.label
    meta = pages.get("/v1/meta").json()
    assert meta["release"] == bundled.release.label
    assert facts["Dataset version"] == meta["dataset_version"][:12]


def test_root_sends_browsers_to_the_explorer_and_api_clients_to_a_map(pages):
    browser = pages.get("/", headers={"accept": "text/html,application/xhtml+xml"}, follow_redirects=False)
    assert browser.status_code == 303 and browser.headers["location"] == "/explore"
    api = pages.get("/")
    assert api.status_code == 200
    assert api.json()["links"]["explore"] == "/explore"
    assert "Accept" in api.headers["vary"]


def test_material_page_is_reached_by_a_short_address(pages, bundled):
    material = [source.id for source in bundled.sources if source.kind == "material"]
    response = pages.get("/explore/material", follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"] == f"/explore/sources/{material[0]}"


def test_stylesheet_is_served_by_the_app(pages):
    response = pages.get("/explore/static/explore.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "@media print" in response.text

from fastapi.testclient import TestClient

from app.config import Settings
from app.explore.headers import CONTENT_SECURITY_POLICY
from app.main import create_app
from tests.explore.html import page, texts
from tests.helpers import assert_problem


def test_unknown_claim_is_a_404_page_suggesting_a_search(pages):
    soup = page(pages.get("/explore/claims/ketamine-cures-everything"), 404)
    assert "no claim has id 'ketamine-cures-everything'" in soup.select_one(".detail").get_text()
    search = soup.select_one("main form[role=search]")
    assert search["action"] == "/explore/claims"
    assert search.select_one("input[name=q]")["value"] == "ketamine cures everything"


def test_unknown_explorer_address_is_a_404_page(pages):
    soup = page(pages.get("/explore/nowhere/at-all"), 404)
    assert "/problems/not-found" in soup.select_one(".problem-type").get_text()
    assert soup.select_one("main input[name=q]")["value"] == "at all"


def test_bad_parameters_render_the_problem_naming_the_field(pages):
    soup = page(pages.get("/explore/claims?limit=0&verdict=great"), 422)
    assert texts(soup, ".field-errors code") == ["query.verdict", "query.limit"]
    assert "fix these parameters" in soup.select_one(".detail").get_text()


def test_unsearchable_text_is_a_400_page_saying_what_to_fix(pages):
    soup = page(pages.get('/explore/claims?q="unbalanced'), 400)
    assert "unbalanced quote" in soup.select_one(".detail").get_text()
    assert soup.select_one("main input[name=q]")["value"] == '"unbalanced'


def test_api_errors_stay_problem_json(pages):
    assert_problem(pages.get("/v1/claims/ketamine-cures-everything"), 404, "not-found")
    assert_problem(pages.get("/nowhere"), 404, "not-found")
    assert pages.get("/v1/topics").headers["content-security-policy"] != CONTENT_SECURITY_POLICY


def test_an_unreachable_database_is_a_503_page_saying_when_to_retry(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/no/such/folder/evidence.db")
    with TestClient(create_app(settings)) as client:
        response = client.get("/explore/claims?q=ketamine")
    soup = page(response, 503)
    assert response.headers["retry-after"]
    assert "retry shortly" in soup.select_one(".detail").get_text()
    assert soup.select_one("main input[name=q]")["value"] == "ketamine"


def test_problems_answered_before_routing_are_pages_too(pages):
    soup = page(pages.get("/explore/claims?q=liver&topics=safety"), 400)
    assert "'topics'" in soup.select_one(".detail").get_text()
    assert texts(soup, ".field-errors code") == ["query.topics"]
    assert soup.select_one("main input[name=q]")["value"] == "liver"
    assert_problem(pages.get("/v1/claims?topics=safety"), 400, "unknown-parameters")

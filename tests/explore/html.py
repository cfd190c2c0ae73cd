"""Reading pages as a browser would: parsed HTML, and the checks every page must pass."""

from typing import Any

from bs4 import BeautifulSoup

from app.explore.headers import CONTENT_SECURITY_POLICY

KEEP_WHITESPACE = {"div", "pre", "textarea"}  # held texts are shown as written, blank lines included


def page(response: Any, status: int = 200) -> BeautifulSoup:
    """The parsed page, after checking its status, media type and that it loads nothing from elsewhere."""
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    soup = BeautifulSoup(response.text, "html.parser", preserve_whitespace_tags=KEEP_WHITESPACE)
    assert soup.find("main") is not None and soup.find("h1") is not None
    for tag in soup.find_all(["link", "script", "img"]):
        assert (tag.get("href") or tag.get("src") or "").startswith("/"), tag
    return soup


def texts(soup: BeautifulSoup, selector: str) -> list[str]:
    return [element.get_text(" ", strip=True) for element in soup.select(selector)]


def hrefs(soup: BeautifulSoup, selector: str) -> list[str]:
    return [str(element["href"]) for element in soup.select(selector)]

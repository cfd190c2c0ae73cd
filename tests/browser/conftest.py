"""Browser tests: Debian's Chromium against a live server. They skip, saying why, only when Chromium is absent."""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.browser.live import CHROMIUM, chromium, chromium_installed
from tests.conftest import NewDatabase, migrated_and_loaded
from tests.live import serving

NO_CHROMIUM = f"no Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium); .ci/run does"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
            if not chromium_installed():
                item.add_marker(pytest.mark.skip(reason=NO_CHROMIUM))


@pytest.fixture(scope="session")
def live_server(new_database: NewDatabase, bundled: Any) -> Iterator[str]:
    with serving({"EVIDENCE_DATABASE_URL": migrated_and_loaded(new_database(), bundled)}) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Any]:
    """A fresh desktop tab; the test fails if the page logged an error, such as a CSP violation."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert [e for e in errors if "404" not in e] == []

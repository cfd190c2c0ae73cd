"""A client for the explorer's pages with the response cache off, so each test exercises the page code."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


@pytest.fixture(scope="module")
def pages(bundled_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=bundled_url, response_cache_entries=0))) as client:
        yield client

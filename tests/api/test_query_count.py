"""A page costs the same number of queries whatever its size: no N+1."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.config import Settings
from app.main import create_app


@pytest.mark.parametrize(
    "path", ["/v1/claims?limit={n}", "/v1/claims?q=ketamine&limit={n}&facets=topic", "/v1/snippets?q=ketamine&k={n}"]
)
def test_queries_per_request_do_not_grow_with_the_page(bundled_url, path):
    statements: list[str] = []
    with TestClient(create_app(Settings(database_url=bundled_url, response_cache_entries=0))) as client:
        event.listen(client.app.state.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        counts = []
        for size in (2, 15):
            statements.clear()
            assert client.get(path.format(n=size)).status_code == 200
            counts.append(len(statements))
    assert counts[0] == counts[1] and counts[0] <= 6, counts

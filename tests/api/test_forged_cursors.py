"""Cursors signed with a known key but holding values no page could have issued are a 400, never a 500."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.domain.cursor import encode_cursor
from app.main import create_app
from tests.conftest import migrated_and_loaded
from tests.helpers import assert_problem, vetted

KNOWN_SECRET = "a-leaked-or-guessed-cursor-key"


@pytest.fixture(scope="module")
def leaked(bundled_url):
    """A client of a server whose cursor key an attacker knows."""
    settings = Settings(database_url=bundled_url, cursor_secret=KNOWN_SECRET, response_cache_entries=0)
    with TestClient(create_app(settings)) as client:
        yield client


def with_cursor(url: str, values: list[object], secret: str = KNOWN_SECRET) -> str:
    """`url` with a cursor signed for exactly its query, holding `values`."""
    parts = urlsplit(url)
    scope = parts.path + "?" + "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(parts.query)))
    cursor = encode_cursor(values, scope=scope, secret=secret)
    return f"{url}{'&' if parts.query else '?'}cursor={cursor}"


def test_a_well_formed_cursor_signed_with_the_key_is_accepted(leaked, bundled):
    first = vetted(bundled)[0].id
    page = leaked.get(with_cursor("/v1/claims?limit=2", [first])).json()
    assert [item["id"] for item in page["items"]] == [claim.id for claim in vetted(bundled)[1:3]]


@pytest.mark.parametrize(
    ("url", "values"),
    [
        ("/v1/claims", [{"a": 1}]),
        ("/v1/claims", [None]),
        ("/v1/claims", ["a\u0000b"]),
        ("/v1/claims", ["x" * 1000]),
        ("/v1/claims?sort=certainty", [1e30, "x"]),
        ("/v1/claims?sort=certainty", [2**62, "x"]),
        ("/v1/claims?sort=certainty", [True, "x"]),
        ("/v1/claims?sort=-updated_at", ["2026-01-01T00:00:00", "x"]),
        ("/v1/claims?sort=-updated_at", ["not a time", "x"]),
        ("/v1/claims?q=ketamine", [1e300, "x"]),
        ("/v1/claims?q=ketamine", ["high", "x"]),
        ("/v1/topics", ["first", "mechanism"]),
        ("/v1/sources", [["nested"]]),
        ("/v1/claims/ketamine-can-be-addictive/revisions", [2.5]),
    ],
)
def test_forged_cursor_values_are_a_400(leaked, url, values):
    body = assert_problem(leaked.get(with_cursor(url, values)), 400, "bad-cursor")
    assert "start again without cursor" in body["detail"]


def test_without_a_configured_key_replicas_of_one_database_agree_and_others_refuse(new_database, bundled):
    url = migrated_and_loaded(new_database(), bundled)
    other = migrated_and_loaded(new_database(), bundled)
    with (
        TestClient(create_app(Settings(database_url=url))) as replica_a,
        TestClient(create_app(Settings(database_url=url, response_cache_entries=0))) as replica_b,
        TestClient(create_app(Settings(database_url=other))) as elsewhere,
    ):
        cursor = replica_a.get("/v1/claims?limit=1").json()["next_cursor"]
        assert replica_b.get(f"/v1/claims?limit=1&cursor={cursor}").status_code == 200
        assert_problem(elsewhere.get(f"/v1/claims?limit=1&cursor={cursor}"), 400, "bad-cursor")
        for known in ("ketamine-evidence-cursor", ""):  # the old built-in key, and none
            forged = with_cursor("/v1/claims?limit=1", [vetted(bundled)[0].id], secret=known)
            assert_problem(replica_a.get(forged), 400, "bad-cursor")

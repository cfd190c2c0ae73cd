"""Bearer keys: each way a key can be missing or wrong, and what a valid one unlocks."""

import pytest

from tests.helpers import assert_problem, bearer, issue_key


@pytest.fixture(scope="module")
def reader_key(bundled_url):
    return issue_key(bundled_url, "auth-test-reader", "read-drafts")


@pytest.mark.parametrize("status", ["draft", "retracted"])
def test_a_key_reads_drafts_and_retracted_claims(client, reader_key, status):
    response = client.get(f"/v1/claims?status={status}", headers=bearer(reader_key))
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_cursor": None, "total": 0}


def test_a_key_also_reads_public_claims(client, reader_key, bundled):
    anonymous = client.get("/v1/claims?limit=200").json()
    assert client.get("/v1/claims?limit=200", headers=bearer(reader_key)).json() == anonymous


def test_missing_key_is_401_with_a_challenge(client):
    response = client.get("/v1/claims?status=draft")
    body = assert_problem(response, 401, "key-required")
    assert response.headers["www-authenticate"] == 'Bearer realm="evidence"'
    assert "Authorization: Bearer" in body["detail"]


@pytest.mark.parametrize(
    "header",
    ["Bearer ev_not-a-key-we-issued", "Basic dXNlcjpwYXNz", "Bearer ", "ev_no-scheme"],
)
def test_unknown_or_malformed_key_is_401_invalid_token(client, header):
    response = client.get("/v1/claims?status=draft", headers={"Authorization": header})
    assert_problem(response, 401, "invalid-key")
    assert response.headers["www-authenticate"] == 'Bearer realm="evidence", error="invalid_token"'


def test_a_wrong_key_on_a_public_read_is_refused_not_ignored(client):
    response = client.get("/v1/claims/no-such-claim", headers=bearer("ev_wrong"))
    assert_problem(response, 401, "invalid-key")


def test_bearer_scheme_is_case_insensitive(client, reader_key):
    response = client.get("/v1/claims?status=draft", headers={"Authorization": f"bearer {reader_key}"})
    assert response.status_code == 200

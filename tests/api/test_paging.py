import pytest

from tests.helpers import assert_problem, walk


@pytest.mark.parametrize("sort", ["id", "-updated_at", "certainty"])
@pytest.mark.parametrize("limit", [1, 2, 7])
def test_walking_pages_yields_the_whole_list_once_in_order(client, sort, limit):
    whole = client.get(f"/v1/claims?sort={sort}&limit=200").json()["items"]
    assert walk(client, f"/v1/claims?sort={sort}&limit={limit}") == whole


@pytest.mark.parametrize("sort", ["id", "certainty"])
def test_pages_of_one_filter_shape_each_answer_their_own_values(uncached, sort):
    """List statements are kept per shape (which filters, which sort, first page or not) and run with each
    request's values: topics and certainty floors asked in turn must not see each other's."""
    claims = uncached.get("/v1/claims?limit=200").json()["items"]
    ranks = {"very_low": 0, "low": 1, "moderate": 2, "high": 3}
    for topic in sorted({claim["topic"] for claim in claims}):
        for floor in ("low", "moderate"):
            url = f"/v1/claims?topic={topic}&min_certainty={floor}&sort={sort}&limit=2"
            expected = {
                claim["id"]
                for claim in claims
                if claim["topic"] == topic and ranks[claim["certainty"]["level"]] >= ranks[floor]
            }
            assert {claim["id"] for claim in walk(uncached, url)} == expected, url


def test_link_header_points_at_the_next_page(client):
    first = client.get("/v1/claims?limit=2&topic=mechanism")
    link = first.headers["link"]
    url = link[link.index("<") + 1 : link.index(">")]
    assert "topic=mechanism" in url and f"cursor={first.json()['next_cursor']}" in url
    second = client.get(url)
    assert second.status_code == 200
    assert second.json()["items"][0]["id"] not in {item["id"] for item in first.json()["items"]}


@pytest.mark.parametrize("cursor", ["abc", "!!!!", "eyJ4IjoxfQ", "A" * 40, "%00"])
def test_malformed_cursor_is_400(client, cursor):
    body = assert_problem(client.get("/v1/claims", params={"cursor": cursor}), 400, "bad-cursor")
    assert "cursor" in body["detail"]


def test_tampered_cursor_is_400(client):
    cursor = client.get("/v1/claims?limit=1").json()["next_cursor"]
    flipped = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    assert_problem(client.get("/v1/claims", params={"limit": 1, "cursor": flipped}), 400, "bad-cursor")


def test_cursor_of_another_query_is_400(client):
    cursor = client.get("/v1/claims?limit=1&sort=id").json()["next_cursor"]
    assert_problem(
        client.get("/v1/claims", params={"limit": 1, "sort": "certainty", "cursor": cursor}), 400, "bad-cursor"
    )
    assert_problem(client.get("/v1/sources", params={"limit": 1, "cursor": cursor}), 400, "bad-cursor")


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "1.5"])
def test_limit_out_of_range_is_422_naming_limit(client, limit):
    body = assert_problem(client.get(f"/v1/claims?limit={limit}"), 422, "invalid-parameters")
    assert body["errors"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize("path", ["/v1/claims?limit=2", "/v1/topics?limit=2", "/v1/sources?limit=2"])
def test_empty_cursor_is_the_first_page(uncached, path):
    first = uncached.get(f"{path}&cursor=")
    assert first.status_code == 200, first.text
    assert first.json() == uncached.get(path).json()

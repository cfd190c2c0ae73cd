from collections import Counter

from tests.helpers import assert_problem, vetted, walk


def test_topics_list_in_file_order_with_vetted_counts(client, bundled):
    counts = Counter(claim.topic for claim in vetted(bundled))
    expected = [
        {"id": t.id, "label": t.label, "description": t.description, "claim_count": counts[t.id]}
        for t in bundled.topics
    ]
    response = client.get("/v1/topics")
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"items": expected, "next_cursor": None, "total": len(expected)}


def test_topics_page_by_one_keeps_order(client, bundled):
    assert [t["id"] for t in walk(client, "/v1/topics?limit=1")] == [t.id for t in bundled.topics]


def test_one_topic(client, bundled):
    topic = bundled.topics[0]
    body = client.get(f"/v1/topics/{topic.id}").json()
    assert body == {
        "id": topic.id,
        "label": topic.label,
        "description": topic.description,
        "claim_count": sum(1 for c in vetted(bundled) if c.topic == topic.id),
    }


def test_unknown_topic_is_404_problem(client):
    body = assert_problem(client.get("/v1/topics/no-such-topic"), 404, "not-found")
    assert "no-such-topic" in body["detail"]

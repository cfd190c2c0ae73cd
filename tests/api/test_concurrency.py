"""What only live servers can show: racing edits, and replicas that never serve a stale cached body."""

import threading
import time
import uuid
from collections import Counter

import httpx2
import pytest

from tests.conftest import migrated_and_loaded
from tests.helpers import bearer, issue_key
from tests.live import serving

RACERS = 20
STALENESS_BOUND = 2.0  # seconds: PostgreSQL workers learn a new generation by LISTEN/NOTIFY, SQLite reads it in place


def eventually(fetch, done):
    """The first answer that is `done`, or the last one once the staleness bound has passed."""
    deadline = time.monotonic() + STALENESS_BOUND
    while True:
        answer = fetch()
        if done(answer) or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


@pytest.fixture
def loaded_url(new_database, bundled):
    return migrated_and_loaded(new_database(), bundled)


def test_simultaneous_patches_with_one_etag_let_exactly_one_through(loaded_url, bundled):
    claim_id = bundled.claims[0].id
    keys = [bearer(issue_key(loaded_url, f"racer-{n}", "curate")) for n in range(RACERS)]
    with serving({"EVIDENCE_DATABASE_URL": loaded_url}) as server:
        base = server.url
        etag = httpx2.get(f"{base}/v1/claims/{claim_id}").headers["etag"]
        start = threading.Barrier(RACERS)
        statuses: list[int] = []

        def edit(n: int) -> None:
            with httpx2.Client(base_url=base, timeout=30) as client:
                headers = keys[n] | {"If-Match": etag}
                start.wait()
                response = client.patch(
                    f"/v1/claims/{claim_id}", json={"snippet": f"Edit number {n}."}, headers=headers
                )
                statuses.append(response.status_code)

        threads = [threading.Thread(target=edit, args=(n,)) for n in range(RACERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        reader = keys[0]
        final = httpx2.get(f"{base}/v1/claims/{claim_id}", headers=reader).json()
        revisions = httpx2.get(f"{base}/v1/claims/{claim_id}/revisions", headers=reader).json()
    assert Counter(statuses) == {200: 1, 412: RACERS - 1}
    assert final["version"] == 2 and final["snippet"].startswith("Edit number")
    assert [r["version"] for r in revisions["items"]] == [2, 1]


def test_a_cached_read_on_one_replica_sees_a_write_through_another(loaded_url, bundled):
    claim_id = next(claim.id for claim in bundled.claims if claim.status == "vetted")
    curator = bearer(issue_key(loaded_url, "curator", "curate"))
    reviewer = bearer(issue_key(loaded_url, "reviewer", "review"))
    env = {"EVIDENCE_DATABASE_URL": loaded_url}
    with serving(env) as writer_server, serving(env) as replica_server:
        writer, replica = writer_server.url, replica_server.url
        for _ in range(2):  # the second read is answered from the replica's cache
            assert httpx2.get(f"{replica}/v1/claims/{claim_id}").json()["version"] == 1
        listed = httpx2.get(f"{replica}/v1/claims?limit=200").json()
        assert claim_id in {item["id"] for item in listed["items"]}
        snippet = f"Replica check {uuid.uuid4().hex[:6]}."
        edited = httpx2.patch(
            f"{writer}/v1/claims/{claim_id}", json={"snippet": snippet}, headers=curator | {"If-Match": '"1"'}
        )
        assert edited.status_code == 200
        hidden = eventually(lambda: httpx2.get(f"{replica}/v1/claims/{claim_id}"), lambda r: r.status_code == 401)
        assert hidden.status_code == 401  # a draft again, so no longer public
        assert claim_id not in {item["id"] for item in httpx2.get(f"{replica}/v1/claims?limit=200").json()["items"]}
        vetted = httpx2.post(f"{writer}/v1/claims/{claim_id}/review", json={"action": "vet"}, headers=reviewer)
        assert vetted.status_code == 200
        seen = eventually(lambda: httpx2.get(f"{replica}/v1/claims/{claim_id}"), lambda r: r.status_code == 200)
    assert seen.json()["version"] == 3 and seen.json()["snippet"] == snippet

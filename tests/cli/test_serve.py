import httpx2

from tests.live import serving


def test_first_serve_migrates_and_loads_the_bundled_data(new_database, bundled):
    with serving({"EVIDENCE_DATABASE_URL": new_database()}) as server:
        ready = httpx2.get(f"{server.url}/readyz")
        assert ready.json() == {"status": "ok", "database": "ok"}
        topics = httpx2.get(f"{server.url}/v1/topics").json()
        assert topics["total"] == len(bundled.topics)
        claims = httpx2.get(f"{server.url}/v1/claims?limit=1").json()
        assert claims["total"] == sum(1 for claim in bundled.claims if claim.status == "vetted")
    assert "First run: loading" in server.output

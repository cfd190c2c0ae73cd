import subprocess
import sys

import anyio.to_thread
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


def test_healthz(client):
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"}


def test_readyz_on_a_migrated_database(client):
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok"}


def test_readyz_is_503_before_migrations(new_database):
    with TestClient(create_app(Settings(database_url=new_database()))) as fresh:
        response = fresh.get("/readyz")
    assert response.status_code == 503
    assert "evidence db upgrade" in response.json()["database"]


def test_blocking_handlers_run_on_the_configured_number_of_threads(bundled_url):
    """Few threads, so that slow queries leave the event loop the CPU for health checks and cached answers."""
    for threads in (1, 3):
        with TestClient(create_app(Settings(database_url=bundled_url, request_threads=threads))) as client:
            assert client.get("/v1/claims?limit=5").status_code == 200
            assert client.portal is not None
            limiter = client.portal.call(anyio.to_thread.current_default_thread_limiter)
            assert limiter.total_tokens == threads


def test_numpy_computes_on_one_thread_in_a_serving_app(bundled_url):
    """Requests run side by side: BLAS threads spinning on every core would take those cores from them."""
    script = (
        "import sys; from fastapi.testclient import TestClient; from threadpoolctl import threadpool_info\n"
        "from app.config import Settings; from app.main import create_app\n"
        "with TestClient(create_app(Settings(database_url=sys.argv[1]))) as client:\n"
        "    client.get('/v1/snippets?q=ketamine').raise_for_status()\n"
        "    print(sorted({pool['num_threads'] for pool in threadpool_info() if pool['user_api'] == 'blas'}))"
    )
    shown = subprocess.run([sys.executable, "-c", script, bundled_url], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "[1]"


def test_metrics_count_requests_by_route(client):
    client.get("/v1/topics")
    text = client.get("/metrics").text
    assert 'http_requests_total{method="GET",route="/v1/topics",status="200"}' in text
    assert "http_request_duration_seconds_bucket" in text


def test_openapi_lists_exactly_the_working_routes(client):
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {
        "/v1/topics",
        "/v1/topics/{topic_id}",
        "/v1/claims",
        "/v1/claims/{claim_id}",
        "/v1/claims/{claim_id}/revisions",
        "/v1/claims/{claim_id}/review",
        "/v1/sources",
        "/v1/sources/{source_id}",
        "/v1/sources/{source_id}/text",
        "/v1/sources/{source_id}/citation",
        "/v1/export",
        "/v1/import",
        "/v1/snippets",
        "/v1/meta",
        "/healthz",
        "/readyz",
        "/metrics",
    }
    assert "Problem" in spec["components"]["schemas"]


def test_docs_page(client):
    response = client.get("/docs")
    assert response.status_code == 200 and "swagger" in response.text.lower()


def test_cors_preflight_and_exposed_headers(client):
    preflight = client.options(
        "/v1/claims", headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    simple = client.get("/v1/claims?limit=1", headers={"Origin": "https://app.example"})
    assert "ETag" in simple.headers["access-control-expose-headers"]
    assert "Link" in simple.headers["access-control-expose-headers"]

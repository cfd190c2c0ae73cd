"""/metrics: only for the operator's scrapers, and the whole service's counts whichever worker answers."""

import re
import sys

import httpx2
import pytest
from fastapi.testclient import TestClient

from app.config import InvalidSettings, Settings, load_settings
from app.main import create_app
from tests.conftest import ANY_CLIENT
from tests.helpers import assert_problem
from tests.live import serving

TOKEN = "scrape-token-0123456789"


def metrics_client(bundled_url: str, **settings: object) -> TestClient:
    return TestClient(create_app(Settings(database_url=bundled_url, **settings)))  # type: ignore[arg-type]


def test_a_client_outside_the_allowed_networks_is_refused(bundled_url):
    with metrics_client(bundled_url) as client:  # TestClient's client has no address on any network
        problem = assert_problem(client.get("/metrics"), 403, "metrics-refused")
    assert "EVIDENCE_METRICS_CLIENTS" in problem["detail"]


def test_the_token_is_needed_when_one_is_set(bundled_url):
    with metrics_client(bundled_url, metrics_clients=ANY_CLIENT, metrics_token=TOKEN) as client:
        assert_problem(client.get("/metrics"), 403, "metrics-refused")
        assert_problem(
            client.get("/metrics", headers={"Authorization": "Bearer wrong-token-000000"}), 403, "metrics-refused"
        )
        allowed = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert allowed.status_code == 200 and "http_requests_total" in allowed.text


def test_loopback_scrapes_by_default_and_other_networks_do_not(bundled_url):
    with serving({"EVIDENCE_DATABASE_URL": bundled_url}) as server:
        assert httpx2.get(f"{server.url}/metrics").status_code == 200
    with serving({"EVIDENCE_DATABASE_URL": bundled_url, "EVIDENCE_METRICS_CLIENTS": '["10.0.0.0/8"]'}) as server:
        assert httpx2.get(f"{server.url}/metrics").status_code == 403


def test_a_bad_network_is_one_line_naming_the_variable(monkeypatch):
    monkeypatch.setenv("EVIDENCE_METRICS_CLIENTS", '["10.0.0.0/8", "intranet"]')
    with pytest.raises(InvalidSettings) as error:
        load_settings()
    (line,) = error.value.lines
    assert line.startswith("EVIDENCE_METRICS_CLIENTS: value error, 'intranet' is not a network such as 10.0.0.0/8")


def scraped_count(url: str, route: str) -> float:
    """http_requests_total for one route, as one scrape on a new connection reports it."""
    text = httpx2.get(f"{url}/metrics", headers={"Connection": "close"}).text
    pattern = rf'http_requests_total{{method="GET",route="{re.escape(route)}",status="200"}} ([0-9.e+]+)'
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


def test_two_workers_report_the_sum_of_what_both_served(bundled_url):
    with serving(
        {"EVIDENCE_DATABASE_URL": bundled_url}, command=[sys.executable, "-m", "app", "serve", "--workers", "2"]
    ) as server:
        for _ in range(40):  # new connections, spread by the kernel over both workers
            response = httpx2.get(f"{server.url}/v1/topics", headers={"Connection": "close"})
            assert response.status_code == 200
        counts = {scraped_count(server.url, "/v1/topics") for _ in range(10)}
    assert counts == {40.0}, f"each scrape should report the total of both workers: {counts}"

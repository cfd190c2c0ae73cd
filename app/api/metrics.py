"""Prometheus metrics: counted per request, summed over every worker, shown only to the operator's scrapers.

With several workers (`evidence serve --workers N`) each process writes its samples to files
in PROMETHEUS_MULTIPROC_DIR, and whichever worker answers a scrape sums them all, so a
counter is the service's total rather than one random worker's share.
"""

import hmac
import ipaddress
import os
from collections.abc import Sequence
from pathlib import Path

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from pydantic import SecretStr
from starlette.responses import Response
from starlette.types import Scope

from app.api.auth import presented_key
from app.api.deps import SettingsDep
from app.api.problems import problem_doc
from app.errors import MetricsRefused

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

router = APIRouter(tags=["ops"])


def multiprocess_dir() -> Path | None:
    """Where the workers of this server share their samples, when there are several."""
    folder = os.environ.get(MULTIPROCESS_DIR)
    return Path(folder) if folder else None


def clear_samples(folder: Path) -> None:
    """A server starting afresh must not count what an earlier run left (prometheus-client's rule)."""
    for stale in folder.glob("*.db"):
        stale.unlink()


def exposition(registry: CollectorRegistry) -> bytes:
    """This process's registry, or the sum of every worker's samples in multiprocess mode."""
    folder = multiprocess_dir()
    if folder is None:
        return generate_latest(registry)
    summed = CollectorRegistry()
    multiprocess.MultiProcessCollector(summed, path=str(folder))
    return generate_latest(summed)


def worker_exited() -> None:
    """Drop this worker's live gauges from the sum (counters and histograms keep what it counted)."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(os.getpid())


def may_scrape(client_host: str | None, networks: Sequence[str]) -> bool:
    """Clients on a listed network may scrape; so may a Unix socket's, which has no address and is local."""
    if client_host is None or "*" in networks:
        return True
    try:
        address = ipaddress.ip_address(client_host)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network) for network in networks)


def check_scraper(request: Request, networks: Sequence[str], token: SecretStr | None) -> None:
    """403 unless the client is on an allowed network and, when a token is set, presents it."""
    client = request.client.host if request.client else None
    if not may_scrape(client, networks):
        raise MetricsRefused(
            f"/metrics is served to {', '.join(networks) or 'no one'}; scrape from there, "
            "or list your scraper's network in EVIDENCE_METRICS_CLIENTS"
        )
    if token is not None:
        given = presented_key(request) or ""
        if not hmac.compare_digest(given.encode(), token.get_secret_value().encode()):
            raise MetricsRefused("send EVIDENCE_METRICS_TOKEN as `Authorization: Bearer <token>` to read /metrics")


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}, **problem_doc(403)},
)
def metrics(request: Request, settings: SettingsDep) -> Response:
    """Request counts and latencies, summed over every worker, in Prometheus text format."""
    check_scraper(request, settings.metrics_clients, settings.metrics_token)
    return Response(exposition(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST)


class RequestMetrics:
    """Counts and times each request by route template; RequestContext reports every exchange to `observe`."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter("http_requests", "Requests served", ["method", "route", "status"], registry=registry)
        self.latency = Histogram("http_request_duration_seconds", "Time to the last byte", ["route"], registry=registry)
        # Each labelled series, looked up once: finding one by its labels took most of an observation.
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        # The guard names API routes before any cache hit; the router names the rest (docs, assets).
        template = scope.get("state", {}).get("route_template") or getattr(scope.get("route"), "path", "unmatched")
        labels = (scope["method"], template, status)
        series = self._series.get(labels)
        if series is None:
            counted = self.requests.labels(scope["method"], template, str(status))
            series = self._series[labels] = (counted, self.latency.labels(template))
        series[0].inc()
        series[1].observe(seconds)

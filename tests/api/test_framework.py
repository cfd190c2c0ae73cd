"""The application class asks OpenTelemetry once, at start-up, whether FastAPI's own telemetry has a provider."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.framework import EvidenceApp

pytest.importorskip("fastapi.telemetry", reason="FastAPI's own OpenTelemetry bridge arrived in FastAPI 0.165")

from opentelemetry import trace  # FastAPI's dependency from that version on


class _Tracer(trace.NoOpTracer):
    def __init__(self, started: list[str]) -> None:
        self.started = started

    def start_span(self, name: str, *args: Any, **kwargs: Any) -> trace.Span:
        self.started.append(name)
        return super().start_span(name, *args, **kwargs)


class _RecordingProvider(trace.TracerProvider):
    """A configured provider, as an OpenTelemetry SDK would be: it notes each span started."""

    def __init__(self) -> None:
        self.started: list[str] = []

    def get_tracer(self, *args: Any, **kwargs: Any) -> trace.Tracer:
        return _Tracer(self.started)


def _app(**options: Any) -> EvidenceApp:
    app = EvidenceApp(**options)
    app.get("/ping")(lambda: {"ok": True})
    return app


def test_a_provider_configured_before_start_up_gets_a_span_for_every_request():
    provider = _RecordingProvider()
    app = _app(telemetry={"tracer_provider": provider})
    with TestClient(app) as client:
        assert client.get("/ping").json() == {"ok": True}
        assert client.get("/ping").status_code == 200
    assert app.native_telemetry and provider.started.count("GET") == 2  # one server span a request


def test_without_a_provider_requests_skip_the_question_after_start_up():
    app = _app()
    with TestClient(app) as client:
        assert client.get("/ping").json() == {"ok": True}
    assert app.native_telemetry is False

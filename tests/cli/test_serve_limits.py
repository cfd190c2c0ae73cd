"""`evidence serve` as deployed: no banner, bounded concurrency, slow senders cut off, long URLs a 414 problem."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from urllib.parse import urlsplit

import httpx2
import orjson
import pytest

from tests.live import serving

PARTIAL_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def half_sent(url: str) -> socket.socket:
    """A connection that has sent part of a request's headers and then goes quiet."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port))
    sock.sendall(PARTIAL_REQUEST)
    return sock


def closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_no_banner_ids_and_json_logs(new_database):
    """Every log line is JSON: libraries that configure logging themselves (wordllama) add no lines of their own."""
    with serving({"EVIDENCE_DATABASE_URL": new_database()}) as server:
        response = httpx2.get(f"{server.url}/v1/topics", headers={"X-Request-Id": "live-check-1"})
    assert response.status_code == 200 and "server" not in response.headers
    assert response.headers["x-request-id"] == "live-check-1"
    assert not re.search(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.]+:", server.output, re.MULTILINE), server.output
    lines = [orjson.loads(line) for line in server.output.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "app.access" and line.get("request_id") == "live-check-1"]
    assert access and access[0]["path"] == "/v1/topics" and access[0]["status"] == 200


def test_under_plain_uvicorn_libraries_turn_on_no_logging(new_database):
    """`uvicorn --factory app.main:create_app` configures no root logger; libraries the app loads (the
    embedding model, the MCP server) call logging.basicConfig, which must not log every request."""
    script = (
        "import logging; from fastapi.testclient import TestClient; from app.main import create_app\n"
        "with TestClient(create_app()) as client: client.get('/healthz').raise_for_status()\n"
        "root = logging.getLogger(); print(len(root.handlers), logging.getLevelName(root.level))"
    )
    env = os.environ | {"EVIDENCE_DATABASE_URL": new_database()}
    shown = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == ["0", "WARNING"] and "/healthz" not in shown.stderr, shown.stderr


def test_a_100_kb_query_string_is_a_414_problem(new_database):
    with serving({"EVIDENCE_DATABASE_URL": new_database()}) as server:
        parts = urlsplit(server.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("GET", "/v1/claims?q=" + "x" * 100_000)  # longer than httpx will send
        response = connection.getresponse()
        body = orjson.loads(response.read())
        connection.close()
    assert response.status == 414 and response.getheader("content-type") == "application/problem+json"
    assert body["type"] == "/problems/uri-too-long" and body["status"] == 414


@pytest.mark.parametrize("parser", ["h11", "httptools"])
def test_half_sent_requests_are_cut_off_and_cannot_hold_the_server(new_database, parser):
    env = {
        "EVIDENCE_DATABASE_URL": new_database(),
        "EVIDENCE_HTTP_PARSER": parser,
        "EVIDENCE_HEADER_TIMEOUT": "1",
        "EVIDENCE_LIMIT_CONCURRENCY": "8",
    }
    with serving(env) as server, ExitStack() as stack:
        stalled = [stack.enter_context(half_sent(server.url)) for _ in range(16)]
        assert httpx2.get(f"{server.url}/healthz").status_code == 503  # the connection limit holds: twice 8
        started = time.monotonic()
        assert all(closed_by_server(sock, within=5) for sock in stalled)
        assert time.monotonic() - started < 4
        assert httpx2.get(f"{server.url}/healthz").status_code == 200


def test_a_kept_alive_connection_gets_a_new_deadline_per_request(new_database):
    env = {"EVIDENCE_DATABASE_URL": new_database(), "EVIDENCE_HEADER_TIMEOUT": "1", "EVIDENCE_KEEP_ALIVE_TIMEOUT": "30"}
    with serving(env) as server:
        parts = urlsplit(server.url)
        with socket.create_connection((parts.hostname, parts.port)) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            sock.settimeout(5)
            answer = b""
            while not answer.endswith(b'{"status":"ok"}'):
                answer += sock.recv(4096)
            assert answer.startswith(b"HTTP/1.1 200")
            time.sleep(1.5)  # idle between requests is the keep-alive timeout's business, not the header deadline's
            sock.sendall(PARTIAL_REQUEST)
            assert closed_by_server(sock, within=5)


def body_pending(url: str) -> socket.socket:
    """A request whose headers are complete and whose body never comes: in progress in the app until closed."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port))
    sock.sendall(b"POST /v1/claims HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n")
    sock.sendall(b"Content-Length: 100\r\n\r\n{")
    return sock


def test_past_the_request_limit_a_busy_problem_and_health_still_answers(new_database):
    env = {"EVIDENCE_DATABASE_URL": new_database(), "EVIDENCE_LIMIT_CONCURRENCY": "2"}
    with serving(env) as server:
        with ExitStack() as stack:
            for _ in range(2):
                stack.enter_context(body_pending(server.url))
            time.sleep(0.5)  # both reach the app
            busy = httpx2.get(f"{server.url}/v1/topics")
            assert httpx2.get(f"{server.url}/healthz").status_code == 200
            assert httpx2.get(f"{server.url}/metrics").status_code == 200  # still measured
            not_ready = httpx2.get(f"{server.url}/readyz")  # busy, so a balancer sends traffic elsewhere
        assert not_ready.status_code == 503 and not_ready.json()["type"] == "/problems/server-busy"
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        assert busy.headers["content-type"] == "application/problem+json"
        assert busy.json()["type"] == "/problems/server-busy"
        deadline = time.monotonic() + 5  # the closed requests leave the app
        while (answer := httpx2.get(f"{server.url}/v1/topics")).status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert answer.status_code == 200

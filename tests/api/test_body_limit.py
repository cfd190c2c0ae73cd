"""Bodies over EVIDENCE_MAX_BODY_BYTES get a 413 before they are read in full; the limit is a setting."""

import select
import socket
import uuid
from urllib.parse import urlsplit

import orjson
import pytest
from fastapi.testclient import TestClient

from app.config import Settings, load_settings
from app.main import create_app
from tests.conftest import migrated_and_loaded
from tests.helpers import assert_problem, bearer, issue_key
from tests.live import serving

LIMIT = 16 * 1024
TEMPLATE = "ect-more-efficacious-than-ketamine"


@pytest.fixture(scope="module")
def loaded_url(new_database, bundled):
    return migrated_and_loaded(new_database(), bundled)


@pytest.fixture(scope="module")
def curator(loaded_url):
    return bearer(issue_key(loaded_url, f"limits-{uuid.uuid4().hex[:8]}", "curate"))


@pytest.fixture(scope="module")
def client(loaded_url):
    with TestClient(create_app(Settings(database_url=loaded_url, max_body_bytes=LIMIT))) as test_client:
        yield test_client


def draft_of_size(client: TestClient, size: int) -> bytes:
    """A valid new draft claim as JSON, padded with whitespace to exactly `size` bytes."""
    template = client.get(f"/v1/claims/{TEMPLATE}").json()
    dropped = {"status", "version", "created_at", "updated_at", "reviewed_at"}
    body = {key: value for key, value in template.items() if key not in dropped}
    body["citations"] = [{k: v for k, v in citation.items() if k != "source"} for citation in body["citations"]]
    body["id"] = f"test-claim-{uuid.uuid4().hex[:10]}"
    encoded = orjson.dumps(body)
    assert len(encoded) <= size
    return encoded + b" " * (size - len(encoded))


def test_a_body_declared_over_the_limit_is_refused_with_413(client, curator):
    response = client.post(
        "/v1/claims", content=b"x" * (LIMIT + 1), headers=curator | {"Content-Type": "application/json"}
    )
    problem = assert_problem(response, 413, "body-too-large")
    assert f"{LIMIT + 1} bytes" in problem["detail"]
    assert "16 MiB" not in problem["detail"] and "at most 16384 bytes" in problem["detail"]
    assert "EVIDENCE_MAX_BODY_BYTES" in problem["detail"]
    assert problem["errors"] == [{"loc": ["body"], "msg": f"over {LIMIT} bytes"}]


def test_a_body_of_exactly_the_limit_is_taken(client, curator):
    body = draft_of_size(client, LIMIT)
    response = client.post("/v1/claims", content=body, headers=curator | {"Content-Type": "application/json"})
    assert response.status_code == 201, response.text


def test_a_chunked_body_over_the_limit_is_refused_with_413(client, curator):
    def chunks():
        for _ in range(LIMIT // 1024 + 1):
            yield b"x" * 1024

    response = client.post("/v1/claims", content=chunks(), headers=curator | {"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "body-too-large")


def test_a_chunked_body_within_the_limit_is_taken(client, curator):
    body = draft_of_size(client, LIMIT)

    def chunks():
        for start in range(0, len(body), 1000):
            yield body[start : start + 1000]

    response = client.post("/v1/claims", content=chunks(), headers=curator | {"Content-Type": "application/json"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("value", ["abc", "-1", "12, 13", "1e3"])
def test_a_malformed_content_length_is_a_400_problem(client, value):
    response = client.post("/v1/claims", content=b"{}", headers={"Content-Length": value})
    problem = assert_problem(response, 400, "bad-content-length")
    assert problem["errors"] == [{"loc": ["header", "content-length"], "msg": "not a whole number"}]


def test_the_limit_defaults_to_5_mib_and_is_read_from_the_environment(monkeypatch, loaded_url, curator):
    assert Settings.model_fields["max_body_bytes"].default == 5 * 1024 * 1024
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", loaded_url)
    monkeypatch.setenv("EVIDENCE_MAX_BODY_BYTES", "100")
    with TestClient(create_app(load_settings())) as small:
        refused = small.post("/v1/claims", content=b"x" * 101, headers=curator | {"Content-Type": "application/json"})
        taken = small.post("/v1/claims", content=b"x" * 100, headers=curator | {"Content-Type": "application/json"})
    assert_problem(refused, 413, "body-too-large")
    assert_problem(taken, 422, "invalid-parameters")  # read, and found not to be JSON


def test_a_live_server_answers_a_chunked_stream_once_it_passes_the_limit(loaded_url):
    """The 413 arrives while the client is still sending: the server stopped reading at the limit."""
    with serving({"EVIDENCE_DATABASE_URL": loaded_url, "EVIDENCE_MAX_BODY_BYTES": str(LIMIT)}) as server:
        address = urlsplit(server.url)
        with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
            head = (
                "POST /v1/claims HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                "Authorization: Bearer ev_unchecked\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            sock.sendall(head.encode())
            chunk = b"%x\r\n%s\r\n" % (1024, b"x" * 1024)
            sent = 0
            for _ in range(4096):  # 4 MiB at most: far past the limit if the server never answers
                if select.select([sock], [], [], 0.005)[0]:
                    break
                sock.sendall(chunk)
                sent += 1024
            answer = read_response(sock)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/problem+json" in head.lower()
    assert orjson.loads(body)["type"] == "/problems/body-too-large"
    assert LIMIT < sent < 1024 * 1024, sent


def read_response(sock: socket.socket) -> bytes:
    """One HTTP/1.1 response with a Content-Length, read off the socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.lower().split(b"\r\n")
    length = next(int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length:"))
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body

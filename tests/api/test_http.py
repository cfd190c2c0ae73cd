"""HTTP details frontends and operators expect: HEAD, compression, CORS, offline docs, ids and safe headers."""

import base64
import hashlib
import logging
import re

import orjson
import pytest

from app.logs import JsonFormatter
from tests.helpers import vetted

GET_ROUTES = [
    "/v1/topics",
    "/v1/topics/safety",
    "/v1/claims?limit=3",
    "/v1/claims/{claim}",
    "/v1/claims/{claim}/revisions",
    "/v1/sources",
    "/v1/sources/seed-article",
    "/v1/sources/seed-article/text",
    "/v1/sources/seed-article/citation?style=apa",
    "/v1/snippets?q=ECT",
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/redoc",
    "/explore",
]


@pytest.mark.parametrize("path", GET_ROUTES)
def test_head_answers_every_get_route_with_its_headers_and_no_body(any_client, bundled, path):
    url = path.format(claim=vetted(bundled)[0].id)
    head = any_client.head(url, headers={"Accept-Encoding": "gzip"})
    got = any_client.get(url, headers={"Accept-Encoding": "gzip"})
    assert got.status_code == 200 and head.status_code == 200, head.text
    assert head.content == b""
    varying = path == "/metrics"  # its body grows between the two requests
    same = ("content-type", "etag") + (() if varying else ("content-length", "content-encoding"))
    for name in same:
        assert head.headers.get(name) == got.headers.get(name), name


def test_openapi_lists_no_head_operations(client):
    spec = client.get("/openapi.json").json()
    assert all("head" not in operations for operations in spec["paths"].values())


def test_large_uncached_bodies_are_compressed_too(client):
    spec = client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert spec.headers["content-encoding"] == "gzip" and int(spec.headers["content-length"]) < len(spec.content)
    plain = client.get("/openapi.json", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == spec.content


def test_cors_advertises_only_what_exists(client):
    preflight = client.options(
        "/v1/claims",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "*"
    methods = {m.strip() for m in preflight.headers["access-control-allow-methods"].split(",")}
    assert methods == {"GET", "HEAD", "POST", "PATCH"}
    allowed = {h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")}
    assert {"if-none-match", "authorization", "if-match", "content-type"} <= allowed
    assert not allowed & {"idempotency-key"}
    refused = client.options(
        "/v1/claims", headers={"Origin": "https://app.example", "Access-Control-Request-Method": "DELETE"}
    )
    assert refused.status_code == 400
    simple = client.get("/v1/claims?limit=1", headers={"Origin": "https://app.example"})
    exposed = {h.strip() for h in simple.headers["access-control-expose-headers"].split(",")}
    assert {"ETag", "Link", "Location", "Retry-After", "X-Request-Id"} <= exposed
    assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= exposed
    assert "ratelimit-remaining" in simple.headers


@pytest.mark.parametrize("path", ["/v1/claims?limit=1", "/v1/claims/no-such-claim", "/healthz", "/explore"])
def test_every_response_varies_on_origin_once_whether_or_not_the_request_names_one(client, path):
    """Caches must keep a cross-origin answer apart from a plain one; CORS headers go only to the former."""
    for origin in ({}, {"Origin": "https://app.example"}):
        response = client.get(path, headers=origin)
        (vary,) = [value for name, value in response.headers.multi_items() if name == "vary"]
        names = [name.strip() for name in vary.split(",")]
        assert names.count("Origin") == 1 and len(names) == len(set(names)), (path, origin, vary)
        assert ("access-control-allow-origin" in response.headers) == bool(origin)


def test_docs_work_offline_under_a_policy_that_allows_exactly_them(client):
    for page, marker in [("/docs", "SwaggerUIBundle"), ("/redoc", "<redoc")]:
        response = client.get(page)
        assert response.status_code == 200 and marker in response.text
        sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
        assert sources and all(url.startswith("/docs/assets/") for url in sources), sources
        for url in sources:
            asset = client.get(url)
            assert asset.status_code == 200 and len(asset.content) > 200, url  # the oldest favicon is 412 bytes
        policy = response.headers["content-security-policy"]
        assert "https:" not in policy and "'unsafe-eval'" not in policy
        for script in re.findall(r"<script>(.*?)</script>", response.text, flags=re.S):
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy
    assert "swagger-ui-bundle.js" in client.get("/docs").text


@pytest.mark.parametrize("path", ["/v1/topics", "/v1/claims/NOPE", "/healthz", "/nowhere", "/docs"])
def test_every_response_has_a_request_id_and_safe_headers(client, path):
    response = client.get(path)
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_a_sane_request_id_is_kept_and_an_insane_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-Id": "lb-7f3a.42"}).headers["x-request-id"] == "lb-7f3a.42"
    for bad in ["x" * 200, "a b", "<script>", "ä"]:
        given = client.get("/healthz", headers={"X-Request-Id": bad.encode("utf-8")}).headers["x-request-id"]
        assert given != bad and re.fullmatch(r"[0-9a-f]{32}", given)


def test_logs_are_json_lines_carrying_the_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="app.access"):
        client.get("/v1/topics", headers={"X-Request-Id": "trace-123"})
    (record,) = [r for r in caplog.records if r.name == "app.access"]
    line = orjson.loads(JsonFormatter().format(record))
    assert line["request_id"] == "trace-123" and line["status"] == 200
    assert line["method"] == "GET" and line["path"] == "/v1/topics" and line["level"] == "info"


def test_metrics_name_every_route_and_only_routes(client):
    client.get("/docs")
    client.get("/v1/topics?limit=1")
    client.get("/no/such/place/42")
    text = client.get("/metrics").text
    assert 'route="/docs",status="200"' in text and 'route="/v1/topics",status="200"' in text
    assert "/no/such/place" not in text and 'route="unmatched",status="404"' in text

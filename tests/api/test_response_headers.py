"""The headers every response leaves with, completed in one pass by the outermost layer."""

from fastapi.testclient import TestClient

from app.api.context import completed_headers
from app.dataset import Dataset
from tests.helpers import vetted

ROUTE_HEADERS = [
    (b"content-type", b"application/json"),
    (b"vary", b"Accept, Accept-Encoding"),
    (b"etag", b'"abc"'),
    (b"x-request-id", b"chosen-by-the-route"),
    (b"Vary", b"Origin, Accept,"),
    (b"content-security-policy", b"default-src 'self'"),
]


def test_one_vary_names_each_name_once_and_the_request_id_is_the_exchanges():
    headers = completed_headers(ROUTE_HEADERS, b"rid-1")
    assert [value for name, value in headers if name == b"vary"] == [b"Accept, Accept-Encoding, Origin"]
    assert [value for name, value in headers if name == b"x-request-id"] == [b"rid-1"]
    assert dict(headers)[b"etag"] == b'"abc"'


def test_a_routes_own_policy_is_kept_and_the_defaults_fill_the_rest():
    headers = completed_headers(ROUTE_HEADERS, b"rid-1")
    assert [value for name, value in headers if name == b"content-security-policy"] == [b"default-src 'self'"]
    assert dict(headers)[b"x-content-type-options"] == b"nosniff"
    assert dict(headers)[b"referrer-policy"] == b"no-referrer"


def test_an_encoded_bodys_etag_is_weak_once():
    encoded = completed_headers([*ROUTE_HEADERS, (b"content-encoding", b"gzip")], b"rid-1")
    assert dict(encoded)[b"etag"] == b'W/"abc"'
    already_weak = [(b"etag", b'W/"abc"'), (b"content-encoding", b"gzip")]
    assert dict(completed_headers(already_weak, b"rid-1"))[b"etag"] == b'W/"abc"'


def test_a_compressed_claim_names_what_it_varies_on_once(client: TestClient, bundled: Dataset):
    response = client.get(f"/v1/claims/{vetted(bundled)[0].id}", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip" and response.headers["etag"].startswith('W/"')
    (vary,) = [value for name, value in response.headers.multi_items() if name == "vary"]
    names = [name.strip() for name in vary.split(",")]  # newer Starlette CORS adds Origin too
    assert len(names) == len(set(names)) and {"Accept", "Accept-Encoding"} <= set(names)

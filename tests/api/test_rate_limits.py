"""Rate limits per API key and per client address, counted in memory or in a shared Redis."""

import time
import uuid
from contextlib import contextmanager

import pytest
import redis
from fastapi.testclient import TestClient

from app.config import InvalidSettings, Settings, load_settings
from app.main import create_app
from tests.conftest import migrated_and_loaded
from tests.helpers import assert_problem, bearer, issue_key, vetted
from tests.live import free_port

REDIS_URL = "redis://127.0.0.1:6379/0"  # as .ci/run starts it
HEADERS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")


@pytest.fixture(scope="module")
def loaded_url(new_database, bundled):
    return migrated_and_loaded(new_database(), bundled)


@pytest.fixture(scope="module")
def claim_path(bundled):
    return f"/v1/claims/{vetted(bundled)[0].id}"


@pytest.fixture(scope="module")
def keys(loaded_url):
    return {name: bearer(issue_key(loaded_url, f"rate-{name}-{uuid.uuid4().hex[:6]}", "read-drafts")) for name in "ab"}


@pytest.fixture(scope="module")
def redis_url():
    """The Redis .ci/run starts: these tests fail rather than skip when it is down."""
    with redis.Redis.from_url(REDIS_URL) as connection:
        assert connection.ping()
    return REDIS_URL


@pytest.fixture(params=["memory", "redis"])
def storage(request):
    """Settings for each storage; each Redis test counts under a prefix of its own."""
    if request.param == "memory":
        return {}
    return {"redis_url": request.getfixturevalue("redis_url"), "redis_prefix": f"test-{uuid.uuid4().hex}"}


@contextmanager
def limited(url, anonymous="off", keyed="off", **settings):
    app = create_app(Settings(database_url=url, rate_limit_anonymous=anonymous, rate_limit_keyed=keyed, **settings))
    with TestClient(app) as client:
        yield client


def in_one_window(seconds: int, needed: float = 5.0) -> None:
    """Wait for the next window when fewer than `needed` seconds are left of this one (windows follow the clock)."""
    left = seconds - time.time() % seconds
    if left < needed:
        time.sleep(left + 0.01)


def limits_of(response):
    return tuple(int(response.headers[name]) for name in HEADERS)


def test_every_counted_response_carries_the_headers_and_remaining_counts_down(loaded_url, claim_path, storage):
    in_one_window(3600)
    with limited(loaded_url, anonymous="50/hour", **storage) as client:
        first = client.get(claim_path)
        responses = [
            first,
            client.get(claim_path),  # from the response cache
            client.get(claim_path, headers={"If-None-Match": first.headers["etag"]}),
            client.head(claim_path),
            client.get("/v1/claims/no-such-claim"),
            client.get("/v1/claims?topics=x"),  # refused by the guard before routing
            client.get("/v1/claims?status=draft", headers=bearer("ev_made-up")),
            client.post("/v1/claims", json={}),
            client.get("/explore"),
        ]
        probes = [client.get(path) for path in ("/healthz", "/readyz", "/metrics")]
    statuses = [response.status_code for response in responses]
    assert statuses == [200, 200, 304, 200, 404, 400, 401, 401, 200]
    expected_reset = 3600 - time.time() % 3600
    for sent, response in enumerate(responses, start=1):
        limit, remaining, reset = limits_of(response)
        assert (limit, remaining) == (50, 50 - sent), response.headers
        assert abs(reset - expected_reset) <= 3
    assert responses[1].headers["etag"] == first.headers["etag"]  # the cached bytes are the same bytes
    assert [probe.status_code for probe in probes[:2]] == [200, 200]  # /metrics may refuse this client
    for probe in probes:
        assert not set(HEADERS) & set(probe.headers)


def test_past_the_limit_a_429_problem_says_when_to_retry(loaded_url, claim_path, storage):
    in_one_window(3600)
    with limited(loaded_url, anonymous="3/hour", **storage) as client:
        passed = [client.get(claim_path) for _ in range(3)]
        refused = client.get(claim_path, headers={"Origin": "https://app.example.org"})
        again = client.get("/v1/topics")
    assert [response.status_code for response in passed] == [200, 200, 200]
    assert [limits_of(response)[1] for response in passed] == [2, 1, 0]
    for response in (refused, again):
        problem = assert_problem(response, 429, "rate-limited")
        assert "at most 3 per hour" in problem["detail"] and "send an API key" in problem["detail"]
        limit, remaining, reset = limits_of(response)
        assert (limit, remaining) == (3, 0)
        assert response.headers["retry-after"] == str(reset)
        assert 1 <= reset <= 3600
    # a browser app may read the refusal and its headers
    assert refused.headers["access-control-allow-origin"] == "*"
    exposed = refused.headers["access-control-expose-headers"].lower()
    assert all(name in exposed for name in (*HEADERS, "retry-after"))


def test_the_count_starts_again_with_the_next_window(loaded_url, claim_path, storage):
    in_one_window(2, needed=1.5)
    with limited(loaded_url, anonymous="2 per 2 seconds", **storage) as client:
        statuses = [client.get(claim_path).status_code for _ in range(3)]
        in_one_window(2, needed=2)
        later = client.get(claim_path)
    assert statuses == [200, 200, 429]
    assert later.status_code == 200
    assert limits_of(later)[:2] == (2, 1)


def test_each_key_has_its_own_count_apart_from_its_address(loaded_url, claim_path, keys, storage):
    in_one_window(3600)
    with limited(loaded_url, anonymous="2/hour", keyed="4/hour", **storage) as client:
        anonymous = [client.get(claim_path).status_code for _ in range(3)]
        with_a = [client.get(claim_path, headers=keys["a"]) for _ in range(5)]
        with_b = client.get(claim_path, headers=keys["b"])
        made_up = client.get(claim_path, headers=bearer("ev_not-a-key-we-issued"))
    assert anonymous == [200, 200, 429]
    assert [response.status_code for response in with_a] == [200, 200, 200, 200, 429]
    assert [limits_of(response)[:2] for response in with_a[:4]] == [(4, 3), (4, 2), (4, 1), (4, 0)]
    assert "this API key" in with_a[4].json()["detail"]
    assert with_b.status_code == 200 and limits_of(with_b)[:2] == (4, 3)
    # a key we did not issue earns no count of its own: it shares its address's
    assert_problem(made_up, 429, "rate-limited")
    assert limits_of(made_up)[0] == 2


def test_off_turns_a_limit_off(loaded_url, claim_path, keys):
    with limited(loaded_url, anonymous="off", keyed="1/hour") as client:
        anonymous = [client.get(claim_path) for _ in range(3)]
        keyed = [client.get(claim_path, headers=keys["a"]).status_code for _ in range(2)]
    assert all(response.status_code == 200 and "ratelimit-limit" not in response.headers for response in anonymous)
    assert keyed == [200, 429]


def test_replicas_sharing_redis_share_the_count(loaded_url, claim_path, redis_url):
    in_one_window(3600)
    shared = {"redis_url": redis_url, "redis_prefix": f"test-{uuid.uuid4().hex}"}
    with limited(loaded_url, anonymous="4/hour", **shared) as one, limited(loaded_url, "4/hour", **shared) as two:
        remaining = [limits_of(client.get(claim_path))[1] for client in (one, two, one, two)]
        refused = two.get(claim_path)
    assert remaining == [3, 2, 1, 0]
    assert_problem(refused, 429, "rate-limited")


def test_workers_without_redis_count_apart(loaded_url, claim_path):
    with limited(loaded_url, anonymous="4/hour") as one, limited(loaded_url, anonymous="4/hour") as two:
        remaining = [limits_of(client.get(claim_path))[1] for client in (one, two, one, two)]
    assert remaining == [3, 3, 2, 2]


def test_an_unreachable_redis_is_logged_and_counting_goes_on_in_memory(loaded_url, claim_path, caplog):
    in_one_window(3600)
    closed = f"redis://127.0.0.1:{free_port()}/0"
    with limited(loaded_url, anonymous="3/hour", redis_url=closed, redis_prefix="unreachable") as client:
        started = time.monotonic()
        statuses = [client.get(claim_path).status_code for _ in range(4)]
        elapsed = time.monotonic() - started
        last = client.get(claim_path)
    assert statuses == [200, 200, 200, 429]
    assert limits_of(last)[:2] == (3, 0)
    assert elapsed < 2, "each request waited on Redis"
    warnings = [record for record in caplog.records if "Redis is unreachable" in record.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelname == "WARNING"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EVIDENCE_RATE_LIMIT_ANONYMOUS", "lots"),
        ("EVIDENCE_RATE_LIMIT_ANONYMOUS", "0/minute"),
        ("EVIDENCE_RATE_LIMIT_KEYED", "600/minute;10/second"),
        ("EVIDENCE_RATE_LIMIT_KEYED", ""),
        ("EVIDENCE_REDIS_URL", "http://127.0.0.1:6379"),
    ],
)
def test_a_bad_setting_ends_start_up_with_one_line_naming_it(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(InvalidSettings) as raised:
        load_settings()
    assert len(raised.value.lines) == 1
    assert raised.value.lines[0].startswith(f"{variable}: ")


def test_limits_are_read_in_limits_notation(monkeypatch):
    monkeypatch.setenv("EVIDENCE_RATE_LIMIT_ANONYMOUS", "10 per 5 minutes")
    monkeypatch.setenv("EVIDENCE_RATE_LIMIT_KEYED", "OFF")
    settings = load_settings()
    assert (settings.rate_limit_anonymous, settings.rate_limit_keyed) == ("10 per 5 minutes", "off")
    assert Settings.model_fields["rate_limit_anonymous"].default == "600/minute"
    assert Settings.model_fields["rate_limit_keyed"].default == "3000/minute"

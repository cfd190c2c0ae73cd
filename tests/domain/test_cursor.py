import pytest

from app.domain.cursor import decode_cursor, encode_cursor
from app.errors import BadCursor


@pytest.mark.parametrize("values", [["abc"], [3, "x-y"], ["2026-11-26T10:00:00+00:00", "id"]])
def test_round_trip(values):
    token = encode_cursor(values, scope="/v1/claims?sort=id", secret="s")
    assert decode_cursor(token, scope="/v1/claims?sort=id", secret="s", arity=len(values)) == values
    assert "=" not in token


@pytest.mark.parametrize(
    ("scope", "secret", "arity"),
    [("/v1/claims?sort=certainty", "s", 1), ("/v1/claims?sort=id", "other", 1), ("/v1/claims?sort=id", "s", 2)],
)
def test_rejects_other_query_secret_or_shape(scope, secret, arity):
    token = encode_cursor(["abc"], scope="/v1/claims?sort=id", secret="s")
    with pytest.raises(BadCursor):
        decode_cursor(token, scope=scope, secret=secret, arity=arity)


@pytest.mark.parametrize("token", ["", "a", "not base64!", "AAAA" * 10])
def test_rejects_garbage(token):
    with pytest.raises(BadCursor):
        decode_cursor(token, scope="q", secret="s", arity=1)

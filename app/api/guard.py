"""Refuse malformed requests before they reach the cache or the database.

A request is answered with a problem when its Host is not ours (no poisoned links, no
cache keyed on forged names), when its URL is too long to be honest (414), or when it
names a query parameter its route does not declare (400: a typo such as `topics=` is
an error, not a silently unfiltered list, and junk parameters cannot flood the cache).
"""

from collections.abc import Iterable, Sequence
from urllib.parse import parse_qsl

from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.problems import send_problem

MAX_QUERY_BYTES = 32 * 1024


def host_name(header: str) -> str:
    """`Example.org:8000` -> `example.org`; `[::1]:8000` -> `[::1]`."""
    name, _, port = header.rpartition(":")
    return (name if name and "]" not in port else header).lower()


class AllowedHosts:
    """Exact names, `*.example.org` for any subdomain, or `*` for any host."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.exact = {pattern.lower() for pattern in patterns if not pattern.startswith("*")}
        self.suffixes = tuple(pattern[1:].lower() for pattern in patterns if pattern.startswith("*."))
        self.any = "*" in patterns

    def allow(self, host: str) -> bool:
        return self.any or host in self.exact or (bool(self.suffixes) and host.endswith(self.suffixes))


def declared_query_names(route: APIRoute) -> frozenset[str]:
    """The query parameters a route declares, its dependencies' included."""
    names: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        names.update(field.alias for field in dependant.query_params)
        pending.extend(dependant.dependencies)
    return frozenset(names)


class RequestGuard:
    """Pure ASGI middleware; it also records the matched route template for metrics."""

    def __init__(self, app: ASGIApp, *, routes: Sequence[APIRoute], allowed_hosts: Sequence[str]) -> None:
        self.app = app
        self.routes = [(route, declared_query_names(route)) for route in routes]
        # Paths without parameters are found by a dict lookup; the others by their patterns.
        self.fixed = {entry[0].path: entry for entry in self.routes if "{" not in entry[0].path}
        self.hosts = AllowedHosts(allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), "")
        if not self.hosts.allow(host_name(host)):
            detail = f"this server does not answer for host {host!r}; operators: add it to EVIDENCE_ALLOWED_HOSTS"
            errors = [{"loc": ["header", "host"], "msg": "host not allowed"}]
            await send_problem(send, 400, "host-not-allowed", detail, scope["path"], errors)
            return
        if len(scope["query_string"]) > MAX_QUERY_BYTES:
            detail = f"the query string is over {MAX_QUERY_BYTES} bytes; shorten it (search text is at most 500)"
            await send_problem(send, 414, "uri-too-long", detail, scope["path"])
            return
        route, declared = self._route(scope)
        if route is not None:
            scope.setdefault("state", {})["route_template"] = route.path
        unknown = _unknown(scope["query_string"], declared) if route is not None and declared is not None else []
        if route is not None and unknown:
            takes = ", ".join(sorted(declared or ())) or "no query parameters"
            detail = f"unknown query parameter(s) {', '.join(map(repr, unknown))}; {route.path} takes: {takes}"
            errors = [{"loc": ["query", name], "msg": "unknown parameter"} for name in unknown]
            await send_problem(send, 400, "unknown-parameters", detail, scope["path"], errors)
            return
        await self.app(scope, receive, send)

    def _route(self, scope: Scope) -> tuple[APIRoute | None, frozenset[str] | None]:
        """The route this request reaches (HEAD as its GET); a path matched with another method is a 405 further in."""
        if scope["method"] == "HEAD":
            scope = {**scope, "method": "GET"}
        fixed = self.fixed.get(scope["path"])
        if fixed is not None and scope["method"] in (fixed[0].methods or ()):
            return fixed
        partial: tuple[APIRoute | None, frozenset[str] | None] = (None, None)
        # Without a root path a route's own pattern rules most routes out at a fraction of a full match's cost.
        path = None if scope.get("root_path") else scope["path"]
        for route, declared in self.routes:
            if path is not None and route.path_regex.match(path) is None:
                continue
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return route, declared
            if match is Match.PARTIAL and partial[0] is None:
                partial = (route, None)
        return partial


def _unknown(query: bytes, declared: frozenset[str]) -> list[str]:
    if not query:
        return []
    names = dict.fromkeys(name for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True))
    return [name for name in names if name not in declared]

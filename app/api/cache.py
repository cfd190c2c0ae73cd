"""Public reads answered from memory, kept honest by the dataset generation.

Each replica checks the generation (one indexed row, bumped by every write in the write's
own transaction) before answering from memory, so a cached body is never older than the
database, whichever replica wrote last (on PostgreSQL, older by at most
EVIDENCE_GENERATION_MAX_STALENESS; see app.services.generation). Every complete 200 of a
public read leaves through here (or through the hot read layer, which shares the store),
cached or not, so each gets an ETag of its bytes, If-None-Match answered with 304, and a
gzip body computed once per entry rather than once per request.
"""

import gzip
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import anyio.to_thread
from anyio import CapacityLimiter
from cachetools import LRUCache
from prometheus_client import CollectorRegistry, Counter, Gauge
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.etags import body_tag, none_match
from app.services.generation import Generation

MIN_COMPRESSED_BYTES = 1024
_KEPT_HEADERS = {b"content-type", b"link", b"cache-control", b"vary"}
_ENTRY_OVERHEAD = 512  # bytes of bookkeeping per entry beyond its bodies and headers
_GENERATION_THREADS = 2  # reading the generation takes microseconds


@dataclass(frozen=True, slots=True)
class Representation:
    """A complete 200 ready to replay: its bytes, their gzip form, and their tag."""

    generation: int | None
    headers: list[tuple[bytes, bytes]]
    body: bytes
    gzipped: bytes | None
    tag: str
    varies_on_accept: bool

    @property
    def size(self) -> int:
        headers = sum(len(name) + len(value) for name, value in self.headers)
        return len(self.body) + len(self.gzipped or b"") + headers + _ENTRY_OVERHEAD


def represent(start: Message, body: bytes, generation: int | None, *, compress: bool) -> Representation:
    """`compress`: make the gzip form now (for an entry the cache keeps, or a client that takes gzip)."""
    kept = {name.lower(): value for name, value in start.get("headers", []) if name.lower() in _KEPT_HEADERS}
    kept.setdefault(b"cache-control", b"no-cache")
    varies = [value for value in kept.pop(b"vary", b"").split(b",") if value.strip()]
    kept[b"vary"] = b", ".join([*varies, b"Accept-Encoding"])
    content_type = kept.get(b"content-type", b"")
    gzipped = None
    compressible = b"json" in content_type or content_type.startswith(b"text/")
    if compress and compressible and len(body) >= MIN_COMPRESSED_BYTES:
        # Even in the rare case it saves nothing: compression further out would gzip such a body anyway.
        gzipped = gzip.compress(body, compresslevel=6, mtime=0)
    varies_on_accept = any(value.strip().lower() == b"accept" for value in varies)
    return Representation(generation, list(kept.items()), body, gzipped, body_tag(body), varies_on_accept)


def accepts_gzip(accept_encoding: str) -> bool:
    """gzip (or `*`) listed with a weight above zero; a named gzip outranks `*`."""
    weights = {}
    for coding in accept_encoding.lower().split(","):
        name, _, params = coding.partition(";")
        weights[name.strip()] = _weight(params.strip())
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def _weight(params: str) -> float:
    try:
        return float(params.removeprefix("q=")) if params else 1.0
    except ValueError:
        return 0.0


async def replay(scope: Scope, representation: Representation, send: Send) -> None:
    """200 or 304, gzip when the client takes it; a gzip body's tag is weak, as its bytes differ."""
    request_headers = dict(scope["headers"])
    body, tag = representation.body, f'"{representation.tag}"'
    headers = list(representation.headers)
    if representation.gzipped is not None and accepts_gzip(request_headers.get(b"accept-encoding", b"").decode()):
        body, tag = representation.gzipped, f"W/{tag}"
        headers.append((b"content-encoding", b"gzip"))
    headers.append((b"etag", tag.encode()))
    if none_match(request_headers.get(b"if-none-match", b"").decode("latin-1") or None, representation.tag):
        kept = [(name, value) for name, value in headers if name in (b"etag", b"cache-control", b"vary")]
        await send({"type": "http.response.start", "status": 304, "headers": kept})
        await send({"type": "http.response.body", "body": b""})
        return
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# scheme, host, path, query with its names sorted, and the Accept value for routes that vary on it
_Key = tuple[str, str, str, str, bytes | None]


def cache_keys(scope: Scope) -> tuple[_Key, _Key]:
    """Everything that shapes the bytes: the key of a plain route, and of one that varies on Accept."""
    headers = dict(scope["headers"])
    host = headers.get(b"host", b"").decode("latin-1").lower()
    query = scope["query_string"].decode("latin-1")
    if "&" in query:  # one parameter needs no sorting; distinct spellings of it only cost a second entry
        query = urlencode(sorted(parse_qsl(query, keep_blank_values=True), key=lambda pair: pair[0]))
    url = (scope["scheme"], host, scope["path"], query)
    return (*url, None), (*url, headers.get(b"accept", b""))


async def _generation(source: Generation, threads: CapacityLimiter) -> int | None:
    """Known without I/O where the database notifies it, else asked on a thread (never on the loop).

    Those threads are the cache's own: a cached answer never waits behind slow handlers.
    """
    known = source.known()
    return known if known is not None else await anyio.to_thread.run_sync(source.current, limiter=threads)


def _public_read(scope: Scope) -> bool:
    """GETs of the API and of the explorer's pages (not of its static files)."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    return scope["path"].startswith(("/v1/", "/explore")) and not scope["path"].startswith("/explore/static/")


@dataclass(frozen=True, slots=True)
class Lookup:
    """What the store holds for a request: where its answer would be kept, and a current entry if any."""

    keys: tuple[_Key, _Key] | None  # None: not shared, or the generation is unknown; nothing is kept
    generation: int | None
    current: Representation | None


_LOOKUP = "response_cache_lookup"  # scope state: a lookup made further out, so it is made once a request


class ResponseStore:
    """The cache's memory, bounded by entries and by bytes (0 turns it off), with its metrics.

    One store serves the ResponseCache middleware and the hot read layer (app.api.hot_reads), which
    answers its reads further out, in front of compression, and keeps them here alike.
    """

    def __init__(self, *, max_entries: int, max_bytes: int, registry: CollectorRegistry) -> None:
        self.enabled = max_entries > 0 and max_bytes > 0
        # Each entry costs at least max_bytes / max_entries, so the byte bound also caps the count.
        floor = max_bytes // max_entries if self.enabled else 0
        self.entries: LRUCache[_Key, Representation] = LRUCache(
            maxsize=max(max_bytes, 1), getsizeof=lambda entry: max(entry.size, floor)
        )
        self.largest_entry = max_bytes // 4
        self.threads: CapacityLimiter | None = None
        self.lookups = Counter(
            "http_response_cache_lookups", "Response cache lookups by route", ["route", "result"], registry=registry
        )
        # Set on each store, not read through a function, so several workers' values can be summed.
        self.held = Gauge(
            "http_response_cache_entries", "Responses held", registry=registry, multiprocess_mode="livesum"
        )
        self.held_bytes = Gauge(
            "http_response_cache_bytes", "Bytes the cache counts", registry=registry, multiprocess_mode="livesum"
        )

    async def lookup(self, scope: Scope) -> Lookup:
        """The request's lookup, made once: a layer further in reuses the one made further out."""
        state = scope.setdefault("state", {})
        made: Lookup | None = state.get(_LOOKUP)
        if made is None:
            made = state[_LOOKUP] = await self._look_up(scope)
        return made

    async def _look_up(self, scope: Scope) -> Lookup:
        shared = self.enabled and not any(name == b"authorization" for name, _ in scope["headers"])
        generation = await _generation(scope["app"].state.generation, self._threads()) if shared else None
        if generation is None:
            return Lookup(None, None, None)
        keys = cache_keys(scope)
        cached = self.entries.get(keys[0]) or self.entries.get(keys[1])
        hit = cached is not None and cached.generation == generation
        route = scope.get("state", {}).get("route_template", "unmatched")
        self.lookups.labels(route, "hit" if hit else "miss").inc()
        return Lookup(keys, generation, cached if hit else None)

    async def serve(self, scope: Scope, lookup: Lookup, start: Message, body: bytes, send: Send) -> None:
        """Send a complete 200 as a hit replays it (its gzip form made where it will be used), then keep it."""
        compress = lookup.keys is not None or accepts_gzip(dict(scope["headers"]).get(b"accept-encoding", b"").decode())
        representation = represent(start, body, lookup.generation, compress=compress)
        await replay(scope, representation, send)
        if lookup.keys is not None and representation.size <= self.largest_entry:
            self.entries[lookup.keys[representation.varies_on_accept]] = representation
            self.held.set(len(self.entries))
            self.held_bytes.set(self.entries.currsize)

    def _threads(self) -> CapacityLimiter:
        """The cache's own threads, made on the event loop (older anyio makes them nowhere else)."""
        if self.threads is None:
            self.threads = CapacityLimiter(_GENERATION_THREADS)
        return self.threads


class ResponseCache:
    """Pure ASGI middleware in front of the routers, answering from and keeping into its ResponseStore."""

    def __init__(self, app: ASGIApp, *, store: ResponseStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _public_read(scope):
            await self.app(scope, receive, send)
            return
        lookup = await self.store.lookup(scope)
        if lookup.current is not None:
            await replay(scope, lookup.current, send)
            return
        await self._answer(scope, receive, send, lookup)

    async def _answer(self, scope: Scope, receive: Receive, send: Send, lookup: Lookup) -> None:
        """Run the app; a complete 200 is served through the store, anything else passes as it comes."""
        start: Message = {}
        body: bytes | None = None
        passing = False

        async def capture(message: Message) -> None:
            nonlocal start, body, passing
            if passing or message["type"] not in ("http.response.start", "http.response.body"):
                await send(message)
            elif message["type"] == "http.response.start":
                start = message
                if message["status"] != 200:
                    passing = True
                    await send(message)
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                body = message.get("body", b"")
            else:  # a streamed body: pass it through as it comes
                passing = True
                await send(start)
                await send(message)

        await self.app(scope, receive, capture)
        if body is not None:
            await self.store.serve(scope, lookup, start, body, send)

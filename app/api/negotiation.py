"""Choosing a representation from the Accept header (RFC 9110 §12.5.1), as DOI resolvers do."""

from dataclasses import dataclass, field
from functools import lru_cache

from app.errors import NotAcceptable


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)
    q: float = 1.0

    def matches(self, media_type: str) -> bool:
        wanted_type, _, wanted_subtype = media_type.partition("/")
        return self.type in ("*", wanted_type) and self.subtype in ("*", wanted_subtype)

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*") + bool(self.params)


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed parts are skipped, as clients expect."""
    ranges = []
    for part in header.split(","):
        media, *raw_params = (piece.strip() for piece in part.split(";"))
        kind, slash, subtype = media.lower().partition("/")
        if not slash or not kind or not subtype:
            continue
        params = {}
        for raw in raw_params:
            name, _, value = raw.partition("=")
            params[name.strip().lower()] = value.strip().strip('"')
        try:
            q = float(params.pop("q", "1"))
        except ValueError:
            q = 1.0
        ranges.append(MediaRange(kind, subtype, params, min(max(q, 0.0), 1.0)))
    return ranges


def negotiate(accept: str | None, offered: list[str]) -> tuple[str, dict[str, str]]:
    """The offered media type the client prefers (ties go to the first offered) and its range's parameters.

    No Accept header means the first offered; nothing acceptable raises NotAcceptable naming the offers.
    """
    if not accept or not accept.strip():
        return offered[0], {}
    choose = _preferred if len(accept) <= _REMEMBERED_CHARS else _preferred.__wrapped__
    media_type, params = choose(accept, tuple(offered))
    return media_type, dict(params)


_REMEMBERED_CHARS = 256  # longer Accept values are rare and would make the remembered ones costly to hold


@lru_cache(maxsize=512)
def _preferred(accept: str, offered: tuple[str, ...]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """negotiate's choice, remembered: clients send a handful of distinct Accept values, and parsing one
    took 8% of a claim's detail in the hot read layer. A refusal raises, so it is never remembered."""
    ranges = parse_accept(accept)
    best: tuple[float, str, dict[str, str]] | None = None
    for media_type in offered:
        matching = [r for r in ranges if r.matches(media_type)]
        if not matching:
            continue
        chosen = max(matching, key=lambda r: r.specificity)
        if chosen.q > 0 and (best is None or chosen.q > best[0]):
            best = (chosen.q, media_type, chosen.params)
    if best is None:
        raise NotAcceptable(
            f"none of the media types in Accept is available here; ask for one of: {', '.join(offered)}",
            [{"loc": ["header", "accept"], "msg": f"available: {', '.join(offered)}"}],
        )
    return best[1], tuple(best[2].items())

"""The search page's whole state lives in its URL: parse it, apply it, and write links that change one part."""

from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.engine import Connection

from app.domain.query import parse_query
from app.domain.synonyms import SynonymTable, expand
from app.models.claim import CERTAINTY_RANK, CertaintyLevel, Verdict
from app.services.claims import ClaimFilters, ClaimSort
from app.services.facets import Facet, count_facets
from app.services.paging import PageRequest
from app.services.search.base import TextSearch

SEARCH_PATH = "/explore/claims"
DEFAULT_LIMIT = 20

# facet -> the state field that filters by it
FACET_FIELDS = {
    Facet.topic: "topic",
    Facet.verdict: "verdict",
    Facet.certainty: "min_certainty",
    Facet.source: "source",
    Facet.tag: "tag",
}


@dataclass(frozen=True)
class SearchState:
    """Everything a search page shows depends on these values, in this order in its URL."""

    q: str | None = None
    topic: str | None = None
    verdict: Verdict | None = None
    min_certainty: CertaintyLevel | None = None
    source: str | None = None
    tag: str | None = None
    sort: ClaimSort | None = None
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None

    def __post_init__(self) -> None:
        """Blank text means no search; relevance without words to rank means the default order."""
        if self.q is not None and not self.q.strip():
            object.__setattr__(self, "q", None)
        if self.sort == self.default_sort or (self.sort == ClaimSort.relevance and self.q is None):
            object.__setattr__(self, "sort", None)

    @property
    def default_sort(self) -> ClaimSort:
        return ClaimSort.relevance if self.q is not None else ClaimSort.id

    @property
    def order(self) -> ClaimSort:
        return self.sort or self.default_sort

    @property
    def filtered(self) -> bool:
        return bool(self.filter_params())

    def filter_params(self) -> list[tuple[str, str]]:
        """The filters that are set, as query parameters (kept when the search words change)."""
        return [(name, str(getattr(self, name))) for name in FACET_FIELDS.values() if getattr(self, name) is not None]

    def filters(self, synonyms: SynonymTable) -> ClaimFilters:
        """The same filters, and the same query parsing and limits, as GET /v1/claims."""
        search = None if self.q is None else expand(parse_query(self.q), synonyms)
        return ClaimFilters(
            topic=self.topic,
            verdict=self.verdict,
            min_certainty=self.min_certainty,
            source=self.source,
            tag=self.tag,
            search=search,
        )

    def params(self) -> list[tuple[str, str]]:
        """The non-default values as query parameters, in a fixed order, cursor last."""
        defaults = SearchState()
        return [
            (field.name, str(getattr(self, field.name)))
            for field in fields(self)
            if getattr(self, field.name) is not None and getattr(self, field.name) != getattr(defaults, field.name)
        ]

    def url(self, **changes: Any) -> str:
        """This search with `changes` applied; any change other than a cursor starts again at page one."""
        changed = replace(self, **{"cursor": None, **changes})
        query = urlencode(changed.params())
        return SEARCH_PATH + ("?" + query if query else "")

    def api_url(self) -> str:
        """The same search as JSON from the API, without the page position."""
        return "/v1/claims" + self.url(cursor=None).removeprefix(SEARCH_PATH)

    def page_request(self, secret: str) -> PageRequest:
        """Cursors are bound to this search's canonical URL, so a link cannot page another search."""
        return PageRequest(limit=self.limit, cursor=self.cursor, scope=self.url(cursor=None), secret=secret)


def facet_counts(
    *, conn: Connection, state: SearchState, filters: ClaimFilters, text_search: TextSearch
) -> dict[str, list[dict[str, Any]]]:
    """Each facet counted with every filter but its own, so its other values stay reachable."""
    unset = [facet for facet, name in FACET_FIELDS.items() if getattr(state, name) is None]
    counts = count_facets(conn=conn, filters=filters, facets=unset, text_search=text_search) if unset else {}
    for facet, name in FACET_FIELDS.items():
        if getattr(state, name) is not None:
            unfiltered: dict[str, Any] = {name: None}
            others = replace(filters, **unfiltered)
            counts |= count_facets(conn=conn, filters=others, facets=[facet], text_search=text_search)
    return counts


def at_least(certainty_counts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-level counts -> "this level or higher" counts, best level first, as the min_certainty filter reads."""
    per_level = {item["value"]: item["count"] for item in certainty_counts}
    running = 0
    result = []
    for level in sorted(CertaintyLevel, key=lambda level: -CERTAINTY_RANK[level]):
        running += per_level.get(level.value, 0)
        if per_level.get(level.value):
            result.append({"value": level.value, "count": running})
    return result

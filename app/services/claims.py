"""Reading claims: filters, keyset pages and the expanded single view."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import BindParameter, ColumnElement, bindparam, false, func, literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import CTE
from sqlmodel import col

from app.domain.query import Query
from app.errors import BadQuery, KeyRequired, NotFound
from app.models.claim import (
    CertaintyLevel,
    Citation,
    Claim,
    ClaimIn,
    ClaimRevision,
    ClaimStatus,
    ClaimTag,
    Verdict,
)
from app.prepared import PreparedRead
from app.services.paging import (
    AnySelect,
    Page,
    PageRequest,
    SortKey,
    count_rows,
    cut_page,
    fetch_page,
    float_key,
    int_key,
    later_page,
    moment_json,
    moment_key,
    page_statement,
    page_values,
)
from app.services.search import TextSearch
from app.services.source_refs import GENERATION, SourceRefs, read_refs
from app.services.totals import TotalCache


class ClaimSort(StrEnum):
    id = "id"
    updated = "-updated_at"
    certainty = "certainty"
    relevance = "relevance"


_BY_ID = SortKey(col(Claim.id))
SORT_KEYS: dict[ClaimSort, list[SortKey]] = {
    ClaimSort.id: [_BY_ID],
    ClaimSort.updated: [
        SortKey(col(Claim.updated_at), descending=True, to_json=moment_json, from_json=moment_key),
        _BY_ID,
    ],
    ClaimSort.certainty: [SortKey(col(Claim.certainty_rank), descending=True, from_json=int_key), _BY_ID],
}


@dataclass(frozen=True)
class FilterColumns:
    """Where the filters read a claim's id and filtered fields: the claim table, or search hits carrying them."""

    id: Any
    status: Any
    topic_id: Any
    verdict: Any
    certainty_rank: Any

    @classmethod
    def of_hits(cls, found: CTE) -> "FilterColumns":
        return cls(found.c.claim_id, found.c.status, found.c.topic_id, found.c.verdict, found.c.certainty_rank)


CLAIM_COLUMNS = FilterColumns(
    col(Claim.id), col(Claim.status), col(Claim.topic_id), col(Claim.verdict), col(Claim.certainty_rank)
)


def _cites(claims: FilterColumns, source: BindParameter[Any]) -> ColumnElement[bool]:
    cited = select(col(Citation.id)).where(col(Citation.claim_id) == claims.id, col(Citation.source_id) == source)
    return cited.exists()


def _tagged(claims: FilterColumns, tag: BindParameter[Any]) -> ColumnElement[bool]:
    tagged = select(col(ClaimTag.tag)).where(col(ClaimTag.claim_id) == claims.id, col(ClaimTag.tag) == tag)
    return tagged.exists()


_CONDITIONS: dict[str, Callable[[FilterColumns, BindParameter[Any]], ColumnElement[bool]]] = {
    "status": lambda claims, status: claims.status == status,
    "topic": lambda claims, topic: claims.topic_id == topic,
    "verdict": lambda claims, verdict: claims.verdict == verdict,
    "min_rank": lambda claims, rank: claims.certainty_rank >= rank,
    "source": _cites,
    "tag": _tagged,
}


@dataclass(frozen=True)
class ClaimFilters:
    status: ClaimStatus = ClaimStatus.vetted
    topic: str | None = None
    verdict: Verdict | None = None
    min_certainty: CertaintyLevel | None = None
    source: str | None = None
    tag: str | None = None
    search: Query | None = None

    def values(self) -> dict[str, Any]:
        """Each filter that is set, under the name apply() binds its value to."""
        named = {
            "status": self.status.value,
            "topic": self.topic,
            "verdict": None if self.verdict is None else self.verdict.value,
            "min_rank": None if self.min_certainty is None else self.min_certainty.rank,
            "source": self.source,
            "tag": self.tag,
        }
        return {name: value for name, value in named.items() if value is not None}

    def apply(self, query: AnySelect, claims: FilterColumns = CLAIM_COLUMNS) -> AnySelect:
        """Restrict `query` to the filters, read from `claims` (the claim table unless given).

        Values are bound by name, so the statement can be run again with another set of values().
        """
        for name, value in self.values().items():
            query = query.where(_CONDITIONS[name](claims, bindparam(name, value)))
        return query


def require_public(status: ClaimStatus | str, drafts_visible: bool) -> None:
    """Drafts and retracted claims are shown only to callers holding a key (the handler checks it)."""
    if status != ClaimStatus.vetted and not drafts_visible:
        raise KeyRequired("draft and retracted claims need an API key, sent as `Authorization: Bearer <key>`")


@dataclass(frozen=True)
class ClaimPage:
    page: Page
    documents: list[str]
    fragments: list[str | None]  # where each claim matched, when searching


def searched(
    filters: ClaimFilters, search: Query, sort: ClaimSort, *, text_search: TextSearch
) -> tuple[AnySelect, list[SortKey]]:
    """Ids of the claims that match `search` and pass the filters, with the keys of `sort`.

    The hits carry the filtered fields, so a search ranked by relevance never reads claim;
    another order joins claim for its sort keys.
    """
    if search.empty:  # nothing searchable survived parsing ("*", emoji): nothing matches
        nothing = filters.apply(select(col(Claim.id))).where(false())
        score = literal(0.0).label("score")
        return nothing, _by_relevance(score, col(Claim.id)) if sort == ClaimSort.relevance else SORT_KEYS[sort]
    found = text_search.hits(search)
    hits = FilterColumns.of_hits(found)
    if sort == ClaimSort.relevance:
        return filters.apply(select(found.c.claim_id.label("id")), hits), _by_relevance(found.c.score, found.c.claim_id)
    query = select(col(Claim.id)).join(found, found.c.claim_id == col(Claim.id))
    return filters.apply(query, hits), SORT_KEYS[sort]


def _by_relevance(score: Any, claim_id: Any) -> list[SortKey]:
    return [SortKey(score, descending=True, from_json=float_key), SortKey(claim_id)]


def passing(filters: ClaimFilters, *, text_search: TextSearch) -> AnySelect:
    """Ids of the claims that pass the filters, unranked: counting needs no text rank."""
    if filters.search is None:
        return filters.apply(select(col(Claim.id)))
    if filters.search.empty:
        return select(col(Claim.id)).where(false())
    found = text_search.matches(filters.search)
    return filters.apply(select(found.c.claim_id.label("id")), FilterColumns.of_hits(found))


def _count(conn: Connection, filters: ClaimFilters, *, text_search: TextSearch) -> int:
    """How many claims pass the filters; a search filtered by status alone is counted by the text index."""
    search = filters.search
    if search is not None and not search.empty and filters == ClaimFilters(status=filters.status, search=search):
        return text_search.count_of_status(conn, search, filters.status)
    return count_rows(conn, passing(filters, text_search=text_search))


def list_claims(
    *,
    conn: Connection,
    filters: ClaimFilters,
    sort: ClaimSort,
    page: PageRequest,
    text_search: TextSearch,
    totals: TotalCache,
    drafts_visible: bool = False,
) -> ClaimPage:
    """A page of claims with their pre-rendered documents.

    In id order the page walks a covering index and reads each claim's document as it goes.
    Any other order sorts the passing claims (a search by score, the other sorts partly, as
    their keys descend and ids ascend), so it orders ids alone and fetches the page's documents
    after: a sort carrying documents took ten times as long. The total is counted once per
    filter and dataset generation (`totals`), not once per page.
    """
    require_public(filters.status, drafts_visible)
    if sort == ClaimSort.relevance and filters.search is None:
        raise BadQuery("sort=relevance ranks search results: give q, or sort by id, -updated_at or certainty")
    total = totals.total(conn, repr(filters), lambda: _count(conn, filters, text_search=text_search))
    in_index_order = filters.search is None and sort == ClaimSort.id
    bound = filters.values()
    if filters.search is None:  # the statement depends only on which filters are set: built once per shape
        keys = SORT_KEYS[sort]
        values = page_values(keys, page)
        shape = (frozenset(bound), sort, later_page(values))
        statement = _LISTINGS.get(shape)
        if statement is None:
            query = filters.apply(select(col(Claim.id), *([col(Claim.document)] if in_index_order else [])))
            statement = _LISTINGS[shape] = PreparedRead(_paged(query, keys, values))
        rows = statement.rows(conn, values | bound)
    elif (best := _best_first(conn, filters, sort, page, text_search=text_search)) is not None:
        rows, keys = best
    else:
        query, keys = searched(filters, filters.search, sort, text_search=text_search)
        values = page_values(keys, page)
        rows = conn.execute(_paged(query, keys, values), values | bound).all()
    result = cut_page(rows, keys, page, total)
    ids = [row[0] for row in result.rows]  # the rows hold id, then the document in index order, then the sort keys
    if in_index_order:
        return ClaimPage(result, [row[1] for row in result.rows], [None] * len(ids))
    documents = dict(conn.execute(_DOCUMENTS, {"ids": ids}).all())
    matches = text_search.fragments(conn, filters.search, ids) if filters.search is not None else {}
    return ClaimPage(result, [documents[i] for i in ids], [matches.get(i) for i in ids])


def _best_first(
    conn: Connection,
    filters: ClaimFilters,
    sort: ClaimSort,
    page: PageRequest,
    *,
    text_search: TextSearch,
) -> tuple[Sequence[Sequence[Any]], list[SortKey]] | None:
    """A page of a public search by relevance, from the best-scored matches alone, with its sort keys; None if it
    could be wrong.

    Ranking every match reads each one's filter columns: 63,000 for a common word at 100,000
    claims, about half of such a search. Here only the best few are read. Without other filters
    nearly every match passes, so they fill the page; when they cannot be sure to, the caller ranks every match.
    """
    search = filters.search
    if search is None or search.empty or sort != ClaimSort.relevance:
        return None
    if filters != ClaimFilters(search=search):
        return None
    found = text_search.best_hits(search, after=page.cursor is not None)  # page_values binds the cursor's score
    keys = _by_relevance(found.c.score, found.c.claim_id)
    values = page_values(keys, page)
    chosen = select(found.c.claim_id.label("id"), found.c.candidates, found.c.lowest)
    candidates = 2 * page.limit + BEST_SPARE
    statement = _paged(filters.apply(chosen, FilterColumns.of_hits(found)), keys, values)
    rows = conn.execute(statement, values | filters.values() | {"candidates": candidates}).all()
    if not rows:  # nothing matched, or none of the best passed: only ranking every match tells which
        return None
    every_match_kept = rows[0].candidates < candidates
    if every_match_kept or (len(rows) > page.limit and rows[page.limit - 1].score > rows[0].lowest):
        return rows, keys
    return None


BEST_SPARE = 20  # best matches kept beyond twice the page, for those the filters refuse (drafts, retracted)


def _paged(query: AnySelect, keys: list[SortKey], values: dict[str, object]) -> AnySelect:
    """`query` with its sort keys' columns, ordered and cut as the page `values` are bound for."""
    return page_statement(query.add_columns(*(key.column for key in keys)), keys, values)


# Page statements without a search, one per shape (filters set, sort, first or later page): a few hundred at most.
_LISTINGS: dict[tuple[frozenset[str], ClaimSort, bool], PreparedRead] = {}
_DOCUMENTS = select(col(Claim.id), col(Claim.document)).where(col(Claim.id).in_(bindparam("ids", expanding=True)))

# Built once: the hot single-claim read skips statement construction, and on SQLite SQLAlchemy's execution.
_CLAIM_DOCUMENT = PreparedRead(
    select(col(Claim.document), col(Claim.status), GENERATION).where(col(Claim.id) == bindparam("claim_id"))
)


def read_claim(
    *, conn: Connection, claim_id: str, drafts_visible: bool = False, known_sources: SourceRefs | None = None
) -> dict[str, Any]:
    """The claim with each citation's source expanded (from `known_sources` where it holds them)."""
    row = _CLAIM_DOCUMENT.first(conn, {"claim_id": claim_id})
    if row is None:
        raise NotFound(f"no claim has id '{claim_id}'; list them at /v1/claims")
    document, status, generation = row
    require_public(status, drafts_visible)
    claim = orjson.loads(document)
    cited = {citation["source_id"] for citation in claim["citations"]}
    if known_sources is not None and generation is not None:
        refs = known_sources.cited(conn, generation, cited)
    else:
        refs = read_refs(conn, cited)[0]
    for citation in claim["citations"]:
        citation["source"] = refs.get(citation["source_id"])
    return claim


@dataclass(frozen=True)
class StoredClaim:
    claim_in: ClaimIn
    version: int
    edited_by: str | None


def as_written(document: str | bytes) -> ClaimIn:
    """A stored claim document as the record a curator writes: what export emits and import takes."""
    fields = orjson.loads(document)
    return ClaimIn.model_validate({name: fields[name] for name in ClaimIn.model_fields if name in fields})


def read_claim_as_written(*, conn: Connection, claim_id: str) -> StoredClaim:
    row = conn.execute(
        select(col(Claim.document), col(Claim.version), col(Claim.edited_by)).where(col(Claim.id) == claim_id)
    ).first()
    if row is None:
        raise NotFound(f"no claim has id '{claim_id}'; list them at /v1/claims")
    return StoredClaim(as_written(row.document), row.version, row.edited_by)


def list_revisions(*, conn: Connection, claim_id: str, page: PageRequest, drafts_visible: bool = False) -> Page:
    status = conn.execute(select(col(Claim.status)).where(col(Claim.id) == claim_id)).scalar()
    if status is None:
        raise NotFound(f"no claim has id '{claim_id}'; list them at /v1/claims")
    require_public(status, drafts_visible)
    keys = [SortKey(col(ClaimRevision.version), descending=True, from_json=int_key)]
    query = (
        select(
            col(ClaimRevision.changed_at),
            col(ClaimRevision.changed_by),
            col(ClaimRevision.note),
            # the current version's revision holds no copy of the claim's document (curation._archive_current)
            func.coalesce(col(ClaimRevision.snapshot), col(Claim.document)).label("snapshot"),
            col(ClaimRevision.version),
        )
        .join(Claim, col(Claim.id) == col(ClaimRevision.claim_id))
        .where(col(ClaimRevision.claim_id) == claim_id)
    )
    return fetch_page(conn, query, keys, page)

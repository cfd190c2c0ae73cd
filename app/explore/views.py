"""What each page shows, gathered from the services in one connection; templates only lay it out."""

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.engine import Connection

from app.domain.citations import source_link
from app.domain.highlight import Run, Span, context, covered_share, runs
from app.domain.synonyms import SynonymTable
from app.explore.search import SearchState, at_least, facet_counts
from app.services import claims, sources, topics
from app.services.meta import read_meta
from app.services.overview import dataset_overview
from app.services.paging import PageRequest
from app.services.quotes import CitingClaim, citing_claims
from app.services.search.base import TextSearch
from app.services.totals import TotalCache

ALL_ROWS = 200  # topics and revisions shown on one page; more are rare and reachable through the API
_UNVERSIONED = {"version", "created_at", "updated_at", "reviewed_at", "status"}


def _everything(scope: str, secret: str) -> PageRequest:
    return PageRequest(limit=ALL_ROWS, cursor=None, scope=scope, secret=secret)


def home(*, conn: Connection, secret: str, text_search: TextSearch) -> dict[str, Any]:
    listed = topics.list_topics(conn=conn, page=_everything("/explore", secret))
    everything = SearchState()
    counts = facet_counts(conn=conn, state=everything, filters=everything.filters({}), text_search=text_search)
    verdicts = counts["verdict"]
    return {
        "overview": dataset_overview(conn=conn),
        "meta": read_meta(conn=conn),
        "topics": [topics.to_public(row) for row in listed.rows],
        "verdicts": verdicts,
    }


def search(
    *,
    conn: Connection,
    state: SearchState,
    synonyms: SynonymTable,
    secret: str,
    text_search: TextSearch,
    totals: TotalCache,
) -> dict[str, Any]:
    filters = state.filters(synonyms)
    page = state.page_request(secret)
    found = claims.list_claims(
        conn=conn, filters=filters, sort=state.order, page=page, text_search=text_search, totals=totals
    )
    facets = facet_counts(conn=conn, state=state, filters=filters, text_search=text_search)
    labels = {facet: {item["value"]: item["label"] for item in items} for facet, items in facets.items()}
    hits = [
        {**orjson.loads(document), "fragment": fragment}
        for document, fragment in zip(found.documents, found.fragments, strict=True)
    ]
    return {
        "state": state,
        "hits": hits,
        "page": found.page,
        "facets": facets,
        "certainty_at_least": at_least(facets["certainty"]),
        "labels": labels,
    }


@dataclass(frozen=True)
class Passage:
    """A quote shown in its context: text before, the quote at its checked offsets, text after."""

    source_id: str
    start: int
    end: int
    before: str
    quote: str
    after: str
    cut_before: bool
    cut_after: bool


def _passage(text: str, source_id: str, start: int, end: int) -> Passage:
    first, last = context(text, start, end)
    return Passage(
        source_id, start, end, text[first:start], text[start:end], text[end:last], first > 0, last < len(text)
    )


def _changes(older: dict[str, Any], newer: dict[str, Any]) -> list[str]:
    """Fields a revision changed, named as the API names them."""
    return sorted(
        key for key in newer.keys() | older.keys() if key not in _UNVERSIONED and older.get(key) != newer.get(key)
    )


def claim(*, conn: Connection, claim_id: str, secret: str) -> dict[str, Any]:
    record = claims.read_claim(conn=conn, claim_id=claim_id)
    passages = []
    texts: dict[str, str] = {}
    for citation in record["citations"]:
        if citation["locator"] is not None:
            source_id = citation["source_id"]
            if source_id not in texts:
                texts[source_id] = sources.read_source_text(conn=conn, source_id=source_id)
            locator = citation["locator"]
            citation["passage"] = _passage(texts[source_id], source_id, locator["start"], locator["end"])
            if citation["relation"] == "states":
                passages.append(citation["passage"])
        citation["link"] = source_link(citation["source"]) if citation["source"] else None
    page = claims.list_revisions(conn=conn, claim_id=claim_id, page=_everything(f"/explore/claims/{claim_id}", secret))
    snapshots = [orjson.loads(row.snapshot) for row in page.rows]
    revisions = [
        {"row": row, "changes": _changes(snapshots[i + 1], snapshots[i]) if i + 1 < len(snapshots) else []}
        for i, row in enumerate(page.rows)
    ]
    return {
        "claim": record,
        "topic": topics.read_topic(conn=conn, topic_id=record["topic"]),
        "passages": passages,
        "revisions": revisions,
        "more_revisions": page.next_cursor is not None,
    }


def _quoted_runs(text: str, cited: list[CitingClaim]) -> list[Run]:
    return runs(text, [Span(c.start, c.end, c.claim_id) for c in cited if c.start is not None and c.end is not None])


def source(*, conn: Connection, source_id: str) -> dict[str, Any]:
    record = sources.read_source(conn=conn, source_id=source_id)
    cited = citing_claims(conn=conn, source_id=source_id)
    text = sources.read_source_text(conn=conn, source_id=source_id) if record.text_length is not None else None
    view: dict[str, Any] = {
        "source": record,
        "link": source_link(record.model_dump()),
        "citing": cited,
        "text": text,
    }
    if text is not None:
        cut = _quoted_runs(text, cited)
        view["runs"] = cut
        view["quoted"] = {c.claim_id: c for c in cited if c.start is not None}
        view["covered"] = covered_share(cut)
        view["uncovered"] = sum(1 for run in cut if not run.covered_by and run.has_words)
    return view

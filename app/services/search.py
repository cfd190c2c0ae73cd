"""Full-text search, one meaning on two engines: SQLite FTS5 (BM25) and PostgreSQL tsvector.

The query tree from domain.query is rendered into each engine's own syntax from words that
hold only letters and digits, so user text can never act as an FTS operator. On PostgreSQL
each group of alternatives is one websearch_to_tsquery, combined with tsquery operators so
that AND, OR and NOT group exactly as they do in FTS5.
"""

import hashlib
from typing import Any

from sqlalchemy import Float, String, bindparam, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import CTE
from sqlmodel import Session

from app.domain.query import Alternatives, Phrase, Query

MARK_START, MARK_END = "<mark>", "</mark>"
_ABOUT_COLUMNS = "{statement snippet topic_label}"  # what a claim is about, for coverage

# bm25 weights per FTS5 column: claim_id (unindexed), statement, snippet, assessment, notes, topic_label
_SQLITE_HITS = """
SELECT claim_id, {coverage} + rank / (1.0 + rank) AS score FROM (
    SELECT rowid AS fts_rowid, claim_id, -bm25(claim_fts, 0.0, 12.0, 6.0, 1.5, 0.5, 2.0) AS rank
    FROM claim_fts WHERE claim_fts MATCH :match {candidates}
) AS ranked
"""
_SQLITE_MATCHES = "SELECT claim_id, 0.0 AS score FROM claim_fts WHERE claim_fts MATCH :match"
_SQLITE_COVERS = (
    "(EXISTS (SELECT 1 FROM claim_fts AS about WHERE about.claim_fts MATCH :{name} AND about.rowid = ranked.fts_rowid))"
)
_SQLITE_FRAGMENTS = f"""
SELECT claim_id, snippet(claim_fts, -1, '{MARK_START}', '{MARK_END}', '…', 16) AS fragment
FROM claim_fts WHERE claim_fts MATCH :match AND claim_id IN :ids
"""
_POSTGRES_HITS = """
SELECT claim_id, {coverage} + rank / (1.0 + rank) AS score FROM (
    SELECT claim_id, document, ts_rank(document, {tsquery}, 1) AS rank
    FROM claim_fts WHERE document @@ {tsquery} {candidates}
) AS ranked
"""
_POSTGRES_MATCHES = "SELECT claim_id, 0.0 AS score FROM claim_fts WHERE document @@ {tsquery}"
_POSTGRES_COVERS = "(ts_filter(document, '{{a,b}}') @@ websearch_to_tsquery('english', :{name}))::int"
_POSTGRES_FRAGMENTS = f"""
SELECT claim_id, ts_headline('english', statement || ' ' || snippet || ' ' || assessment || ' ' || notes,
    {{tsquery}}, 'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=10, MaxFragments=1') AS fragment
FROM claim_fts WHERE claim_id IN :ids
"""


def _fts5_phrase(phrase: Phrase) -> str:
    return '"' + " ".join(phrase.words) + '"'


def _fts5_group(group: Alternatives) -> str:
    options = [_fts5_phrase(option) for option in group.options]
    return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"


def _fts5_match(query: Query, *, any_term: bool) -> str:
    joined = (" OR " if any_term else " AND ").join(_fts5_group(group) for group in query.required)
    return f"({joined})" + "".join(f" NOT {_fts5_phrase(phrase)}" for phrase in query.excluded)


def _websearch_group(options: tuple[Phrase, ...]) -> str:
    return " OR ".join(p.words[0] if len(p.words) == 1 else '"' + " ".join(p.words) + '"' for p in options)


def _tsquery(query: Query, params: dict[str, Any], *, any_term: bool) -> str:
    """A tsquery SQL expression; its group texts are added to `params`."""

    def websearch(name: str, options: tuple[Phrase, ...]) -> str:
        params[name] = _websearch_group(options)
        return f"websearch_to_tsquery('english', :{name})"

    groups = [websearch(f"g{i}", group.options) for i, group in enumerate(query.required)]
    expression = "(" + (" || " if any_term else " && ").join(groups) + ")"
    for i, phrase in enumerate(query.excluded):
        expression += " && !!" + websearch(f"x{i}", (phrase,))
    return f"({expression})"


COMMON_SHARE = 0.5  # a word group in more than this share of claims ranks nothing in a question


def _matching_count(conn: Connection, group: Alternatives) -> int:
    matching = hits(conn, Query(required=[group]), any_term=False, ranked=False)
    return int(conn.execute(select(func.count()).select_from(matching)).scalar_one())


def without_common_words(conn: Connection, query: Query) -> Query:
    """Drop word groups found in most claims from a question ("ketamine" in a ketamine dataset).

    They barely move a ranking yet make the engine score nearly every claim; a cut-off by
    document frequency, as search engines use for common terms. A question made only of
    common words keeps them all.
    """
    if len(query.required) < 2:
        return query
    claims = conn.execute(text("SELECT count(*) FROM claim")).scalar_one()
    rare = [group for group in query.required if _matching_count(conn, group) <= COMMON_SHARE * claims]
    return Query(required=rare, excluded=query.excluded) if rare else query


def hits(conn: Connection, query: Query, *, any_term: bool, candidates: int | None = None, ranked: bool = True) -> CTE:
    """A (claim_id, score) table of matching claims; a higher score is more relevant.

    The score's whole part counts the query's word groups found in what a claim is about
    (statement, snippet, topic), so with any_term a claim answering every part of a question
    outranks one repeating a common word; its fraction is the engine's text rank (BM25 on
    SQLite, ts_rank on PostgreSQL). `candidates` keeps only that many best text matches,
    bounding the cost of a question whose words are everywhere; `ranked=False` scores every
    match 0, for counting.
    """
    params: dict[str, Any] = {}
    limit = ""
    if candidates is not None:
        limit = "ORDER BY rank DESC LIMIT :candidates"
        params["candidates"] = candidates
    covers = []
    postgres = conn.dialect.name == "postgresql"
    if any_term and len(query.required) > 1:
        for i, group in enumerate(query.required):
            name = f"about{i}"
            if postgres:
                params[name] = _websearch_group(group.options)
                covers.append(_POSTGRES_COVERS.format(name=name))
            else:
                params[name] = f"{_ABOUT_COLUMNS} : {_fts5_group(group)}"
                covers.append(_SQLITE_COVERS.format(name=name))
    coverage = "(" + " + ".join(covers) + ")" if covers else "0"
    if postgres:
        tsquery = _tsquery(query, params, any_term=any_term)
        template = _POSTGRES_HITS if ranked else _POSTGRES_MATCHES
        sql = template.format(coverage=coverage, tsquery=tsquery, candidates=limit)
    else:
        params["match"] = _fts5_match(query, any_term=any_term)
        sql = (_SQLITE_HITS if ranked else _SQLITE_MATCHES).format(coverage=coverage, candidates=limit)
    # Materialized: the engine searches once, then joins, instead of searching again per claim row.
    return text(sql).bindparams(**params).columns(claim_id=String, score=Float).cte("hits").prefix_with("MATERIALIZED")


def fragments(conn: Connection, query: Query, claim_ids: list[str]) -> dict[str, str]:
    """Where each claim matched: a short passage with the matched words marked."""
    if not claim_ids:
        return {}
    params: dict[str, Any] = {"ids": claim_ids}
    if conn.dialect.name == "postgresql":
        sql = _POSTGRES_FRAGMENTS.format(tsquery=_tsquery(query, params, any_term=True))
    else:
        params["match"] = _fts5_match(query, any_term=True)
        sql = _SQLITE_FRAGMENTS
    statement = text(sql).bindparams(bindparam("ids", expanding=True))
    return {row.claim_id: row.fragment for row in conn.execute(statement, params)}


def fts_rowid(claim_id: str) -> int:
    """A stable 64-bit FTS5 rowid from the claim id.

    FTS5 cannot index the unindexed claim_id column, so deleting by it scans the whole table;
    deleting by rowid is a lookup. The claim table's own rowid is no use: VACUUM may renumber it.
    """
    return int.from_bytes(hashlib.sha256(claim_id.encode()).digest()[:8], "big", signed=True)


_INSERT_ROW = (
    "INSERT INTO claim_fts ({rowid}claim_id, statement, snippet, assessment, notes, topic_label) "
    "VALUES ({rowid_value}:claim_id, :statement, :snippet, :assessment, :notes, :topic_label)"
)


def index_claim(session: Session, *, claim_id: str, fields: dict[str, str]) -> None:
    """Replace the claim's search row inside the write's transaction, so both commit together.

    `fields` holds statement, snippet, assessment, notes and topic_label.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("DELETE FROM claim_fts WHERE claim_id = :claim_id"), {"claim_id": claim_id})
        insert = _INSERT_ROW.format(rowid="", rowid_value="")
    else:
        session.execute(text("DELETE FROM claim_fts WHERE rowid = :rowid"), {"rowid": fts_rowid(claim_id)})
        insert = _INSERT_ROW.format(rowid="rowid, ", rowid_value=":rowid, ")
    session.execute(text(insert), {"claim_id": claim_id, "rowid": fts_rowid(claim_id), **fields})


def relabel_topic(session: Session, *, topic_id: str, label: str) -> None:
    session.execute(
        text(
            "UPDATE claim_fts SET topic_label = :label WHERE claim_id IN (SELECT id FROM claim WHERE topic_id = :topic)"
        ),
        {"label": label, "topic": topic_id},
    )

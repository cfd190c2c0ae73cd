"""SQLite FTS5: BM25 ranking, porter stemming; the query tree rendered into FTS5 syntax.

Words hold only letters and digits by the time they reach here, so user text can never act
as an FTS operator.
"""

import hashlib
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import CTE
from sqlmodel import Session

from app.domain.query import Alternatives, Phrase, Query
from app.models.claim import ClaimStatus
from app.prepared import PreparedWrite
from app.services.search.base import MARK_END, MARK_START, QuestionMatch, about_groups, found_cte

_ABOUT_COLUMNS = "{statement snippet topic_label}"  # what a claim is about
_TEXT_COLUMNS = "{statement snippet assessment notes topic_label}"  # what words are looked for in: not the status
# bm25 weights per column: claim_id (unindexed), statement, snippet, assessment, notes, topic_label, status
_RANK = "-bm25(claim_fts, 0.0, 12.0, 6.0, 1.5, 0.5, 2.0, 0.0)"
# Claim ids and filter columns come from claim_fts_key by rowid, in the rowid order FTS5 returns:
# reading claim_fts's own claim_id reads each row's whole text, and joining claim seeks each match by id.
_KEY_COLUMNS = "key.claim_id, key.status, key.topic_id, key.verdict, key.certainty_rank"
# The rank mapped onto 0..1, naming bm25 once (an alias used twice is evaluated twice) and never decreasing
# as the rank grows, even rounded: best_hits() cuts by this score and pages order by it.
_SCORE = f"1.0 - 1.0 / (1.0 + {_RANK})"
_HITS = f"""
SELECT {_KEY_COLUMNS}, ranked.score FROM (
    SELECT rowid AS fts_rowid, {_SCORE} AS score FROM claim_fts WHERE claim_fts MATCH :match
) AS ranked JOIN claim_fts_key AS key ON key.rowid = ranked.fts_rowid
"""
# The best few by score alone, then their keys: FTS5 sorts the matches' rowids, and only those few reach the key table.
_BEST_HITS = f"""
SELECT {_KEY_COLUMNS}, best.score, best.candidates, best.lowest FROM (
    SELECT fts_rowid, score, count(*) OVER () AS candidates, min(score) OVER () AS lowest FROM (
        SELECT rowid AS fts_rowid, {_SCORE} AS score FROM claim_fts WHERE claim_fts MATCH :match{{after}}
        ORDER BY score DESC LIMIT :candidates
    )
) AS best JOIN claim_fts_key AS key ON key.rowid = best.fts_rowid
"""
_MATCHES = f"""
SELECT {_KEY_COLUMNS} FROM claim_fts JOIN claim_fts_key AS key ON key.rowid = claim_fts.rowid
WHERE claim_fts MATCH :match
"""
# Each group's matches once, weighted and summed per claim; only the best rows look up their claim id.
_QUESTION = """
SELECT key.claim_id, best.groups FROM (
    SELECT fts_rowid, sum(weight) AS score, sum(bit) AS groups FROM ({found}) AS found
    GROUP BY fts_rowid ORDER BY score DESC, fts_rowid LIMIT :limit
) AS best JOIN claim_fts_key AS key ON key.rowid = best.fts_rowid
ORDER BY best.score DESC, best.fts_rowid
"""
_FOUND = "SELECT rowid AS fts_rowid, :weight{i} AS weight, {bit} AS bit FROM claim_fts WHERE claim_fts MATCH :about{i}"
_CONTAINING = "(SELECT count(*) FROM claim_fts WHERE claim_fts MATCH :{name})"
_COUNT = text("SELECT count(*) FROM claim_fts WHERE claim_fts MATCH :match")
# By rowid: FTS5 seeks each claim's row, where a claim_id filter would read every match.
_FRAGMENTS = f"""
SELECT claim_id, snippet(claim_fts, -1, '{MARK_START}', '{MARK_END}', '…', 16) AS fragment
FROM claim_fts WHERE claim_fts MATCH :match AND rowid IN :rowids
"""
# The index holds no copy of the text (0017): FTS5 reads what a row's removal takes out of the index from
# claim_fts_text, the view over the claim's own rows, so a claim leaves the index before those rows change.
_DELETE_ROWS = PreparedWrite(text("DELETE FROM claim_fts WHERE rowid = :rowid"))
_KEY_ROWS = PreparedWrite(
    text(
        "INSERT OR REPLACE INTO claim_fts_key (rowid, claim_id, status, topic_id, verdict, certainty_rank) "
        "VALUES (:rowid, :claim_id, :status, :topic_id, :verdict, :certainty_rank)"
    )
)
_INDEXED = text("SELECT count(*) FROM claim_fts_key")  # one row per indexed claim, and narrow
_INSERT_ROWS = PreparedWrite(
    text(
        "INSERT INTO claim_fts (rowid, claim_id, statement, snippet, assessment, notes, topic_label, status) "
        "VALUES (:rowid, :claim_id, :statement, :snippet, :assessment, :notes, :topic_label, :status)"
    )
)
# Run while the topic row still has its old label: the update removes each claim's old row as the view shows it.
_RELABEL = """
UPDATE claim_fts SET topic_label = :label WHERE rowid IN (
    SELECT key.rowid FROM claim_fts_key AS key JOIN claim ON claim.id = key.claim_id WHERE claim.topic_id = :topic
)
"""


def fts_rowid(claim_id: str) -> int:
    """A stable 64-bit FTS5 rowid from the claim id.

    FTS5 cannot index the unindexed claim_id column, so deleting by it scans the whole table;
    deleting by rowid is a lookup. The claim table's own rowid is no use: VACUUM may renumber it.
    """
    return int.from_bytes(hashlib.sha256(claim_id.encode()).digest()[:8], "big", signed=True)


def _phrase(phrase: Phrase) -> str:
    return '"' + " ".join(phrase.words) + '"'


def _group(group: Alternatives) -> str:
    options = [_phrase(option) for option in group.options]
    return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"


def _excluded(query: Query) -> str:
    return "".join(f" NOT {_TEXT_COLUMNS} : {_phrase(phrase)}" for phrase in query.excluded)


def _match(query: Query, *, any_group: bool) -> str:
    joined = (" OR " if any_group else " AND ").join(_group(group) for group in query.required)
    return f"{_TEXT_COLUMNS} : ({joined}){_excluded(query)}"


def _without_others(status: ClaimStatus) -> str:
    """A MATCH clause leaving out claims of every other status: each of those lists is read, not the wanted one."""
    return f" NOT status : ({' OR '.join(other.value for other in ClaimStatus if other != status)})"


class Fts5Search:
    def hits(self, query: Query) -> CTE:
        return found_cte(_HITS, {"match": _match(query, any_group=False)}, ranked=True)

    def best_hits(self, query: Query, *, after: bool = False) -> CTE:
        sql = _BEST_HITS.format(after=f" AND {_SCORE} <= :after_0" if after else "")
        return found_cte(sql, {"match": _match(query, any_group=False)}, ranked=True, best=True)

    def matches(self, query: Query) -> CTE:
        return found_cte(_MATCHES, {"match": _match(query, any_group=False)}, ranked=False)

    def question_matches(
        self, conn: Connection, query: Query, weights: Sequence[float], *, limit: int
    ) -> list[QuestionMatch]:
        params: dict[str, Any] = {"limit": limit}
        excluded = _excluded(query)
        for i, (group, weight) in enumerate(zip(query.required, weights, strict=True)):
            params[f"about{i}"] = f"{_ABOUT_COLUMNS} : {_group(group)}{excluded}"
            params[f"weight{i}"] = weight
        found = " UNION ALL ".join(_FOUND.format(i=i, bit=1 << i) for i in range(len(query.required)))
        rows = conn.execute(text(_QUESTION.format(found=found)), params)
        return [QuestionMatch(row.claim_id, about_groups(row.groups, len(query.required))) for row in rows]

    def indexed_claims(self, conn: Connection) -> int:
        return int(conn.execute(_INDEXED).scalar_one())

    def containing(self, conn: Connection, groups: Sequence[Alternatives]) -> list[int]:
        params = {f"g{i}": f"{_TEXT_COLUMNS} : {_group(group)}" for i, group in enumerate(groups)}
        counts = ", ".join(_CONTAINING.format(name=name) for name in params)
        return [int(count) for count in conn.execute(text(f"SELECT {counts}"), params).one()]

    def count_of_status(self, conn: Connection, query: Query, status: ClaimStatus) -> int:
        return int(
            conn.execute(_COUNT, {"match": _match(query, any_group=False) + _without_others(status)}).scalar_one()
        )

    def fragments(self, conn: Connection, query: Query, claim_ids: list[str]) -> dict[str, str]:
        if not claim_ids:
            return {}
        statement = text(_FRAGMENTS).bindparams(bindparam("rowids", expanding=True))
        params = {"rowids": [fts_rowid(claim_id) for claim_id in claim_ids], "match": _match(query, any_group=True)}
        return {row.claim_id: row.fragment for row in conn.execute(statement, params)}

    def unindex_claims(self, session: Session, claim_ids: Sequence[str]) -> None:
        _DELETE_ROWS.run(session.connection(), [{"rowid": fts_rowid(claim_id)} for claim_id in claim_ids])

    def index_claims(self, session: Session, claims: Sequence[tuple[str, dict[str, Any]]]) -> None:
        # In rowid order: FTS5 writes its pending terms out as a new segment whenever a rowid is lower than the last.
        rows = sorted(
            ({"claim_id": claim_id, "rowid": fts_rowid(claim_id), **fields} for claim_id, fields in claims),
            key=itemgetter("rowid"),
        )
        conn = session.connection()
        _INSERT_ROWS.run(conn, rows)
        _KEY_ROWS.run(conn, rows)

    def relabel_topic(self, session: Session, *, topic_id: str, label: str) -> None:
        session.execute(text(_RELABEL), {"label": label, "topic": topic_id})

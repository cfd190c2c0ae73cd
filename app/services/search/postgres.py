"""PostgreSQL: a weighted, GIN-indexed tsvector ranked by ts_rank.

Each group of alternatives is one websearch_to_tsquery, combined with tsquery operators so
that AND, OR and NOT group exactly as they do in FTS5. Only letters and digits reach here.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import CTE
from sqlmodel import Session

from app.domain.query import STOP_WORDS, Alternatives, Phrase, Query
from app.models.claim import ClaimStatus
from app.services.search.base import MARK_END, MARK_START, QuestionMatch, about_groups, found_cte

# The filter columns come from claim, joined by its primary key.
_FILTERS = "claim.status, claim.topic_id, claim.verdict, claim.certainty_rank"
# The rank mapped onto 0..1, never decreasing as the rank grows, even rounded: best_hits() cuts by it.
_SCORE = "1.0 - 1.0 / (1.0 + ts_rank(document, {tsquery}, 1))"
_SCORED = f"SELECT claim_id, {_SCORE} AS score FROM claim_fts WHERE document @@ {{tsquery}}"
_HITS = f"""
SELECT ranked.claim_id, ranked.score, {_FILTERS} FROM ({_SCORED}) AS ranked JOIN claim ON claim.id = ranked.claim_id
"""
# The best few by score alone, then their claims' filter columns.
_BEST_HITS = f"""
SELECT best.claim_id, best.score, {_FILTERS}, best.candidates, best.lowest FROM (
    SELECT claim_id, score, count(*) OVER () AS candidates, min(score) OVER () AS lowest FROM (
        {_SCORED}{{after}} ORDER BY score DESC LIMIT :candidates
    ) AS top
) AS best JOIN claim ON claim.id = best.claim_id
"""
_MATCHES = f"""
SELECT claim_fts.claim_id, {_FILTERS} FROM claim_fts JOIN claim ON claim.id = claim_fts.claim_id
WHERE claim_fts.document @@ {{tsquery}}
"""
# Each group's matches once (through the GIN index), weighted and summed per claim. The bit set
# is cast back from sum()'s numeric: past 2**30 a literal is a bigint, and the sum of bigints is numeric.
_QUESTION = """
SELECT claim_id, CAST(sum(bit) AS bigint) AS groups FROM ({found}) AS found
GROUP BY claim_id ORDER BY sum(weight) DESC, claim_id LIMIT :limit
"""
# `about` (statement, snippet, topic) has its own index; an excluded phrase must be absent from the whole document.
_FOUND = """SELECT claim_id, CAST(:weight{i} AS double precision) AS weight, {bit} AS bit FROM claim_fts
WHERE about @@ {tsquery}{anywhere}"""
_CONTAINING = "(SELECT count(*) FROM claim_fts WHERE document @@ websearch_to_tsquery('english', :{name}))"
_FRAGMENTS = f"""
SELECT claim_id, ts_headline('english', statement || ' ' || snippet || ' ' || assessment || ' ' || notes,
    {{tsquery}}, 'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=10, MaxFragments=1') AS fragment
FROM claim_fts WHERE claim_id IN :ids
"""
_DELETE_ROW = "DELETE FROM claim_fts WHERE claim_id = :claim_id"
_INSERT_ROW = (
    "INSERT INTO claim_fts (claim_id, statement, snippet, assessment, notes, topic_label) "
    "VALUES (:claim_id, :statement, :snippet, :assessment, :notes, :topic_label)"
)
_INDEXED = text("SELECT count(*) FROM claim_fts")
_RELABEL = "UPDATE claim_fts SET topic_label = :label WHERE claim_id IN (SELECT id FROM claim WHERE topic_id = :topic)"


def _phrase(phrase: Phrase) -> str:
    """A phrase with a stop word ("off label") is searched as its hyphenated compound ("off-label").

    PostgreSQL drops stop words inside a phrase, so "off label" would find every "label"; the
    compound keeps its own lexeme. Such phrases come from hyphenated words in practice.
    """
    if len(phrase.words) == 1:
        return phrase.words[0]
    joiner = "-" if STOP_WORDS.intersection(phrase.words) else " "
    return '"' + joiner.join(phrase.words) + '"'


def _websearch(options: tuple[Phrase, ...]) -> str:
    """A group of alternatives in websearch_to_tsquery syntax."""
    return " OR ".join(_phrase(p) for p in options)


def _tsquery(query: Query, params: dict[str, Any], *, any_group: bool, prefix: str = "") -> str:
    """A tsquery SQL expression; its group texts are added to `params`, named after `prefix`."""

    def websearch(name: str, options: tuple[Phrase, ...]) -> str:
        params[name] = _websearch(options)
        return f"websearch_to_tsquery('english', :{name})"

    groups = [websearch(f"{prefix}g{i}", group.options) for i, group in enumerate(query.required)]
    expression = "(" + (" || " if any_group else " && ").join(groups) + ")"
    for i, phrase in enumerate(query.excluded):
        expression += " && !!" + websearch(f"{prefix}x{i}", (phrase,))
    return f"({expression})"


class PostgresSearch:
    def hits(self, query: Query) -> CTE:
        params: dict[str, Any] = {}
        sql = _HITS.format(tsquery=_tsquery(query, params, any_group=False))
        return found_cte(sql, params, ranked=True)

    def best_hits(self, query: Query, *, after: bool = False) -> CTE:
        params: dict[str, Any] = {}
        tsquery = _tsquery(query, params, any_group=False)
        below = f" AND {_SCORE} <= :after_0" if after else ""
        sql = _BEST_HITS.format(tsquery=tsquery, after=below.format(tsquery=tsquery))
        return found_cte(sql, params, ranked=True, best=True)

    def matches(self, query: Query) -> CTE:
        params: dict[str, Any] = {}
        sql = _MATCHES.format(tsquery=_tsquery(query, params, any_group=False))
        return found_cte(sql, params, ranked=False)

    def count_of_status(self, conn: Connection, query: Query, status: ClaimStatus) -> int:
        found = self.matches(query)  # the GIN index finds them; claim's primary key gives their status
        counted = select(func.count()).select_from(found).where(found.c.status == status.value)
        return int(conn.execute(counted).scalar_one())

    def question_matches(
        self, conn: Connection, query: Query, weights: Sequence[float], *, limit: int
    ) -> list[QuestionMatch]:
        params: dict[str, Any] = {"limit": limit}
        found = []
        for i, (group, weight) in enumerate(zip(query.required, weights, strict=True)):
            one_group = Query(required=[group], excluded=query.excluded)
            tsquery = _tsquery(one_group, params, any_group=False, prefix=f"q{i}")
            params[f"weight{i}"] = weight
            anywhere = f" AND document @@ {tsquery}" if query.excluded else ""
            found.append(_FOUND.format(i=i, bit=1 << i, tsquery=tsquery, anywhere=anywhere))
        rows = conn.execute(text(_QUESTION.format(found=" UNION ALL ".join(found))), params)
        return [QuestionMatch(row.claim_id, about_groups(row.groups, len(query.required))) for row in rows]

    def indexed_claims(self, conn: Connection) -> int:
        return int(conn.execute(_INDEXED).scalar_one())

    def containing(self, conn: Connection, groups: Sequence[Alternatives]) -> list[int]:
        params = {f"g{i}": _websearch(group.options) for i, group in enumerate(groups)}
        counts = ", ".join(_CONTAINING.format(name=name) for name in params)
        return [int(count) for count in conn.execute(text(f"SELECT {counts}"), params).one()]

    def fragments(self, conn: Connection, query: Query, claim_ids: list[str]) -> dict[str, str]:
        if not claim_ids:
            return {}
        params: dict[str, Any] = {"ids": claim_ids}
        sql = _FRAGMENTS.format(tsquery=_tsquery(query, params, any_group=True))
        statement = text(sql).bindparams(bindparam("ids", expanding=True))
        return {row.claim_id: row.fragment for row in conn.execute(statement, params)}

    def unindex_claims(self, session: Session, claim_ids: Sequence[str]) -> None:
        session.execute(text(_DELETE_ROW), [{"claim_id": claim_id} for claim_id in claim_ids])

    def index_claims(self, session: Session, claims: Sequence[tuple[str, dict[str, Any]]]) -> None:
        session.execute(text(_INSERT_ROW), [{"claim_id": claim_id, **fields} for claim_id, fields in claims])

    def relabel_topic(self, session: Session, *, topic_id: str, label: str) -> None:
        session.execute(text(_RELABEL), {"label": label, "topic": topic_id})

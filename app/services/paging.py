"""One keyset pagination for every list: stable order, constant cost per page."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, func, or_, select
from sqlalchemy.engine import Connection

from app.domain.cursor import decode_cursor, encode_cursor
from app.errors import BadCursor

AnySelect = Select[*tuple[Any, ...]]  # a SELECT of any columns

MAX_TEXT_KEY_CHARS = 200
_INT_LIMIT = 2**31
_FLOAT_LIMIT = 1e9


def text_key(value: object) -> str:
    """A text sort key from a cursor: a string a database can compare (no NUL), of sane length."""
    if not isinstance(value, str) or "\x00" in value or len(value) > MAX_TEXT_KEY_CHARS:
        raise ValueError("not a text key")
    return value


def int_key(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= _INT_LIMIT:
        raise ValueError("not an integer key")
    return value


def float_key(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not abs(value) <= _FLOAT_LIMIT:
        raise ValueError("not a score key")
    return float(value)


def moment_key(value: object) -> datetime:
    """An ISO 8601 timestamp with its offset; a naive one would be read in whatever zone the server is in."""
    moment = datetime.fromisoformat(text_key(value))
    if moment.tzinfo is None:
        raise ValueError("naive timestamp")
    return moment


def moment_json(moment: datetime) -> str:
    return moment.isoformat()


@dataclass(frozen=True)
class SortKey:
    """A column of the order; from_json checks a cursor's value for it (ValueError or TypeError if unfit)."""

    column: Any
    descending: bool = False
    to_json: Callable[[Any], object] = lambda value: value
    from_json: Callable[[Any], object] = text_key

    def ordering(self) -> ColumnElement[Any]:
        return self.column.desc() if self.descending else self.column.asc()

    def beyond(self, value: object) -> ColumnElement[bool]:
        return self.column < value if self.descending else self.column > value


@dataclass(frozen=True)
class PageRequest:
    limit: int
    cursor: str | None
    scope: str
    secret: str


@dataclass(frozen=True)
class Page:
    rows: Sequence[Any]
    next_cursor: str | None
    total: int


def _after(keys: Sequence[SortKey]) -> ColumnElement[bool]:
    """Rows strictly after the position bound as after_0, after_1... in the order of `keys` (directions may differ)."""
    marks = [bindparam(f"after_{depth}", type_=key.column.type) for depth, key in enumerate(keys)]
    clauses = []
    for depth, key in enumerate(keys):
        equal_prefix = [k.column == mark for k, mark in zip(keys[:depth], marks[:depth], strict=True)]
        clauses.append(and_(*equal_prefix, key.beyond(marks[depth])))
    return or_(*clauses)


def later_page(values: dict[str, object]) -> bool:
    """Whether page_values hold a cursor's position: its statement has one condition more than a first page's."""
    return "after_0" in values


def page_statement(query: AnySelect, keys: Sequence[SortKey], values: dict[str, object]) -> AnySelect:
    """`query` in the order of `keys`, at most page_limit rows, past the cursor's position on a later page.

    Its values are bound by name (page_values), so a statement of one shape can be built once and kept.
    """
    if later_page(values):
        query = query.where(_after(keys))
    return query.order_by(*(key.ordering() for key in keys)).limit(bindparam("page_limit", type_=Integer))


def page_values(keys: Sequence[SortKey], request: PageRequest) -> dict[str, object]:
    """What a page_statement binds: one row past the page (to tell if another follows), and the cursor's position."""
    values: dict[str, object] = {"page_limit": request.limit + 1}
    if request.cursor is not None:
        raw = decode_cursor(request.cursor, scope=request.scope, secret=request.secret, arity=len(keys))
        try:
            position = [key.from_json(value) for key, value in zip(keys, raw, strict=True)]
        except (TypeError, ValueError):
            raise BadCursor("cursor does not fit this query; start again without cursor") from None
        values |= {f"after_{depth}": value for depth, value in enumerate(position)}
    return values


def count_rows(conn: Connection, query: AnySelect) -> int:
    return int(conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one())


def fetch_page(
    conn: Connection,
    query: AnySelect,
    keys: Sequence[SortKey],
    request: PageRequest,
    total: int | None = None,
) -> Page:
    """Run `query` (its selected columns end with the sort keys) for one page and its total.

    `total`, when the caller knows it, saves counting the rows.
    """
    if total is None:
        total = count_rows(conn, query)
    values = page_values(keys, request)
    return cut_page(conn.execute(page_statement(query, keys, values), values).all(), keys, request, total)


def cut_page(rows: Sequence[Sequence[Any]], keys: Sequence[SortKey], request: PageRequest, total: int) -> Page:
    """A page_statement's rows cut to the page, naming where the next one starts."""
    next_cursor = None
    if len(rows) > request.limit:
        rows = rows[: request.limit]
        last = rows[-1][-len(keys) :]
        next_cursor = encode_cursor(
            [key.to_json(value) for key, value in zip(keys, last, strict=True)],
            scope=request.scope,
            secret=request.secret,
        )
    return Page(rows=rows, next_cursor=next_cursor, total=total)

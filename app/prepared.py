"""Statements rendered once and run on SQLite's own cursor: the hottest skip SQLAlchemy's execution layer.

Executing through SQLAlchemy (events, an execution context, result wrapping) costs about 40 µs
a statement; SQLite finds a claim by id in 6 µs. A bulk write pays the same layer per row: an
import of 100,000 claims spent a fifth of its time there, converting each row's values. On the
stdlib SQLite driver a PreparedRead or PreparedWrite renders its SQL the first time it runs, then
hands that SQL straight to the sqlite3 connection the Connection holds. The engine's statement
events still fire around it (the statement clock of app.db, and whatever counts statements), and
a driver error comes out as SQLAlchemy's (an IntegrityError as one), so callers and listeners see
both paths alike. A statement SQLite cannot take so (values rendered late, columns whose values
need converting, defaults computed in Python) and any other database run an ordinary execute."""

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import Insert, Select, TextClause

Convert = Callable[[Any], Any]
T = TypeVar("T")


@dataclass(frozen=True)
class _Bind:
    name: str
    required: bool  # the statement holds no value of its own
    value: Any  # the statement's own, which a value named by the caller replaces (as in an execute)
    convert: Convert | None  # the column type's conversion for the driver, as SQLAlchemy applies it

    def given(self, values: Mapping[str, Any]) -> Any:
        return values[self.name] if self.required or self.name in values else self.value

    def parameter(self, values: Mapping[str, Any]) -> Any:
        value = self.given(values)
        return value if self.convert is None else self.convert(value)


@dataclass(frozen=True)
class _Rendered:
    sql: str
    binds: tuple[_Bind, ...]  # in the order of the SQL's placeholders

    def parameters(self, values: Mapping[str, Any]) -> list[Any]:
        return [bind.parameter(values) for bind in self.binds]

    def parameters_of_rows(self, rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
        """Every row's parameters; a value object the rows share (a batch's one timestamp) is converted once."""
        # (placeholder, id of a value) -> the value, kept so that no other object takes its id, and its conversion
        converted: dict[tuple[int, int], tuple[Any, Any]] = {}

        def once(position: int, convert: Convert, value: Any) -> Any:
            key = (position, id(value))
            if key not in converted:
                converted[key] = (value, convert(value))
            return converted[key][1]

        binds = list(enumerate(self.binds))
        return [
            [bind.given(row) if bind.convert is None else once(at, bind.convert, bind.given(row)) for at, bind in binds]
            for row in rows
        ]


class PreparedRead:
    """A read statement kept for the life of the process; `rows` runs it with the values named in it."""

    def __init__(self, statement: Select[Any] | TextClause) -> None:
        self.statement = statement
        self.rendered: _Rendered | None = None
        self.sqlalchemy_only = False  # found on first run on SQLite

    def rows(self, conn: Connection, values: Mapping[str, Any] | None = None) -> Sequence[Sequence[Any]]:
        values = values or {}
        # Checked first: one process may hold engines of both kinds, and the rendering is SQLite's.
        rendered = (self.rendered or self._render(conn.dialect)) if conn.dialect.driver == "pysqlite" else None
        if rendered is None:
            return conn.execute(self.statement, dict(values)).all()
        return _on_driver(conn, rendered.sql, rendered.parameters(values), _fetch_all)

    def first(self, conn: Connection, values: Mapping[str, Any] | None = None) -> Sequence[Any] | None:
        found = self.rows(conn, values)
        return found[0] if found else None

    def _render(self, dialect: Dialect) -> _Rendered | None:
        """SQLite's SQL and its parameters, or None (remembered) where only SQLAlchemy can run the statement."""
        if self.sqlalchemy_only:
            return None
        columns = getattr(self.statement, "selected_columns", ())
        converted = any(
            column.type.dialect_impl(dialect).result_processor(dialect, None) is not None for column in columns
        )
        self.rendered = None if converted else _render(self.statement, dialect)
        self.sqlalchemy_only = self.rendered is None
        return self.rendered


class PreparedWrite:
    """An INSERT, UPDATE or DELETE kept for the life of the process; `run` executes it once per row, in one executemany.

    Every row names the same values (as an executemany needs); `names` are those an INSERT sets.
    """

    def __init__(self, statement: Insert | TextClause, names: Sequence[str] = ()) -> None:
        self.statement = statement
        self.names = list(names) or None
        self.rendered: _Rendered | None = None
        self.sqlalchemy_only = False  # found on first run on SQLite

    def run(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:  # an execute with no rows would run the statement once, with no values
            return
        rendered = (self.rendered or self._render(conn.dialect)) if conn.dialect.driver == "pysqlite" else None
        if rendered is None:
            conn.execute(self.statement, list(rows))
            return
        _on_driver(conn, rendered.sql, rendered.parameters_of_rows(rows), _execute_many)

    def _render(self, dialect: Dialect) -> _Rendered | None:
        if not self.sqlalchemy_only:
            self.rendered = _render(self.statement, dialect, self.names)
            self.sqlalchemy_only = self.rendered is None
        return self.rendered


def _render(statement: Any, dialect: Dialect, names: list[str] | None = None) -> _Rendered | None:
    """SQLite's SQL and its parameters in placeholder order, or None where SQLAlchemy must fill some in itself."""
    compiled = statement.compile(dialect=dialect, column_keys=names)
    computed = getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None)
    if computed or "POSTCOMPILE" in compiled.string or compiled.positiontup is None:
        return None
    binds = tuple(
        _Bind(name, bind.required, bind.effective_value, bind.type.dialect_impl(dialect).bind_processor(dialect))
        for name, bind in ((name, compiled.binds[name]) for name in compiled.positiontup)
    )
    return _Rendered(compiled.string, binds)


def _fetch_all(cursor: sqlite3.Cursor, sql: str, parameters: Any) -> list[Any]:
    return cursor.execute(sql, parameters).fetchall()


def _execute_many(cursor: sqlite3.Cursor, sql: str, parameters: Any) -> None:
    cursor.executemany(sql, parameters)


def _on_driver(conn: Connection, sql: str, parameters: Any, call: Callable[[sqlite3.Cursor, str, Any], T]) -> T:
    """`call` on the sqlite3 cursor, between the engine's statement events, its errors raised as SQLAlchemy's."""
    many = call is _execute_many  # as the events are told of an executemany
    driver: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
    cursor = driver.cursor()
    for before in conn.dispatch.before_cursor_execute:  # the statement clock among them (app.db)
        sql, parameters = before(conn, cursor, sql, parameters, None, many)
    try:
        result = call(cursor, sql, parameters)
    except sqlite3.Error as error:
        raise DBAPIError.instance(sql, parameters, error, sqlite3.Error) from error
    for after in conn.dispatch.after_cursor_execute:
        after(conn, cursor, sql, parameters, None, many)
    return result

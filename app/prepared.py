"""Reads rendered once and run on SQLite's own cursor: the hottest statements skip SQLAlchemy's execution layer.

Executing through SQLAlchemy (events, an execution context, result wrapping) costs about 40 µs
a statement; SQLite finds a claim by id in 6 µs. On the stdlib SQLite driver a PreparedRead
renders its SQL the first time it runs, then hands that SQL straight to the sqlite3 connection
the Connection holds. The engine's statement events still fire around it (the statement clock
of app.db, and whatever counts statements), and a driver error comes out as SQLAlchemy's, so
callers and listeners see both paths alike. A statement SQLite cannot take so (values rendered
late, columns whose values need converting) and any other database run an ordinary execute."""

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import Select, TextClause

Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class _Bind:
    name: str
    required: bool  # the statement holds no value of its own
    value: Any  # the statement's own, which a value named by the caller replaces (as in an execute)
    convert: Convert | None  # the column type's conversion for the driver, as SQLAlchemy applies it

    def parameter(self, values: Mapping[str, Any]) -> Any:
        value = values[self.name] if self.required or self.name in values else self.value
        return value if self.convert is None else self.convert(value)


@dataclass(frozen=True)
class _Rendered:
    sql: str
    binds: tuple[_Bind, ...]  # in the order of the SQL's placeholders

    def parameters(self, values: Mapping[str, Any]) -> list[Any]:
        return [bind.parameter(values) for bind in self.binds]


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
        driver: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
        cursor = driver.cursor()
        sql, parameters = rendered.sql, rendered.parameters(values)
        for before in conn.dispatch.before_cursor_execute:  # the statement clock among them (app.db)
            sql, parameters = before(conn, cursor, sql, parameters, None, False)
        try:
            rows = cursor.execute(sql, parameters).fetchall()
        except sqlite3.Error as error:
            raise DBAPIError.instance(sql, parameters, error, sqlite3.Error) from error
        for after in conn.dispatch.after_cursor_execute:
            after(conn, cursor, sql, parameters, None, False)
        return rows

    def first(self, conn: Connection, values: Mapping[str, Any] | None = None) -> Sequence[Any] | None:
        found = self.rows(conn, values)
        return found[0] if found else None

    def _render(self, dialect: Dialect) -> _Rendered | None:
        """SQLite's SQL and its parameters, or None (remembered) where only SQLAlchemy can run the statement."""
        if self.sqlalchemy_only:
            return None
        compiled = self.statement.compile(dialect=dialect)
        columns = getattr(self.statement, "selected_columns", ())
        converted = any(column.type.result_processor(dialect, None) is not None for column in columns)
        if converted or "POSTCOMPILE" in compiled.string or compiled.positiontup is None:
            self.sqlalchemy_only = True
            return None
        binds = tuple(
            _Bind(name, bind.required, bind.effective_value, bind.type.bind_processor(dialect))
            for name, bind in ((name, compiled.binds[name]) for name in compiled.positiontup)
        )
        self.rendered = _Rendered(compiled.string, binds)
        return self.rendered

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import JSON, Column, DateTime, Engine, Integer, MetaData, String, Table, event, insert, select, text
from sqlalchemy.exc import IntegrityError

from app.db import create_db_engine
from app.prepared import PreparedWrite
from tests.conftest import ON_POSTGRES, NewDatabase

METADATA = MetaData()


def _table(name: str) -> Table:
    return Table(
        name,
        METADATA,
        Column("id", Integer, primary_key=True),
        Column("label", String(40), nullable=False),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("extra", JSON),
        Column("kind", String(10), nullable=False, default=lambda: "computed"),
    )


ON_DRIVER, BY_SQLALCHEMY = _table("on_driver"), _table("by_sqlalchemy")
NAMES = ["id", "label", "at", "extra", "kind"]
ROWS = [
    {"id": 1, "label": "plain", "at": dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC), "extra": {"a": [1]}, "kind": "k"},
    {"id": 2, "label": "ünïcode ✓", "at": dt.datetime(2025, 12, 31, tzinfo=dt.UTC), "extra": None, "kind": "k"},
    {"id": 3, "label": "", "at": dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), "extra": ["x"], "kind": "other"},
]


@pytest.fixture
def engine(new_database: NewDatabase) -> Iterator[Engine]:
    engine = create_db_engine(new_database())
    METADATA.create_all(engine)
    yield engine
    engine.dispose()


def _stored(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(table).order_by(table.c.id))]


def test_rows_written_on_the_driver_read_back_as_sqlalchemys_executemany_writes_them(engine: Engine) -> None:
    with engine.begin() as conn:
        PreparedWrite(insert(ON_DRIVER), NAMES).run(conn, ROWS)
        conn.execute(insert(BY_SQLALCHEMY), ROWS)
    assert _stored(engine, ON_DRIVER) == _stored(engine, BY_SQLALCHEMY)
    assert [row[3] for row in _stored(engine, ON_DRIVER)] == [{"a": [1]}, None, ["x"]]  # JSON, not its text


def test_each_run_is_one_executemany_to_the_engines_statement_events(engine: Engine) -> None:
    seen: list[tuple[int, bool]] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append((len(args[3]), args[5])))
    prepared = PreparedWrite(text("UPDATE on_driver SET label = :label WHERE id = :id"))
    with engine.begin() as conn:
        PreparedWrite(insert(ON_DRIVER), NAMES).run(conn, ROWS)
        prepared.run(conn, [{"id": 1, "label": "first"}, {"id": 3, "label": "third", "unused": 0}])
        prepared.run(conn, [])  # no rows: no statement, where an execute would run it once without values
    assert seen == [(3, True), (2, True)]
    assert [row[1] for row in _stored(engine, ON_DRIVER)] == ["first", "ünïcode ✓", "third"]


def test_a_broken_constraint_is_sqlalchemys_integrity_error_and_the_transaction_writes_nothing(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as conn:
        PreparedWrite(insert(ON_DRIVER), NAMES).run(conn, [ROWS[0], ROWS[1], ROWS[0]])
    assert _stored(engine, ON_DRIVER) == []


def test_values_computed_in_python_are_left_to_sqlalchemy(engine: Engine) -> None:
    """A column default SQLAlchemy computes per row cannot be rendered once: such an insert runs as an execute."""
    without_kind = [{name: value for name, value in row.items() if name != "kind"} for row in ROWS]
    prepared = PreparedWrite(insert(ON_DRIVER), NAMES[:-1])
    with engine.begin() as conn:
        prepared.run(conn, without_kind)
    assert [row[4] for row in _stored(engine, ON_DRIVER)] == ["computed"] * 3
    assert prepared.rendered is None
    assert prepared.sqlalchemy_only is not ON_POSTGRES  # on PostgreSQL nothing is rendered for the driver at all


def test_values_the_rows_share_are_written_as_sqlalchemy_writes_each(engine: Engine) -> None:
    """A batch's one timestamp object is converted once; equal but distinct objects and shared ones read back alike."""
    moment = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    shared_extra = {"shared": True}
    rows = [
        {"id": n, "label": f"row {n}", "at": moment, "extra": shared_extra if n % 2 else {"own": n}, "kind": "k"}
        for n in range(1, 7)
    ]
    rows[5]["at"] = dt.datetime(2026, 3, 4, 5, 6, 8, tzinfo=dt.UTC)  # one row of its own among the shared ones
    with engine.begin() as conn:
        PreparedWrite(insert(ON_DRIVER), NAMES).run(conn, rows)
        conn.execute(insert(BY_SQLALCHEMY), rows)
    stored = _stored(engine, ON_DRIVER)
    assert stored == _stored(engine, BY_SQLALCHEMY)
    assert [row[2].second for row in stored] == [7, 7, 7, 7, 7, 8]
    assert [row[3] for row in stored] == [shared_extra, {"own": 2}, shared_extra, {"own": 4}, shared_extra, {"own": 6}]

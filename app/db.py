"""Engine factory: one engine per app, with time limits so a slow or hung database costs a 503, not a worker.

SQLite: WAL for concurrent readers, a lock wait, and a progress handler that interrupts a
statement past its deadline (or past a shorter budget its caller set: `statement_budget`).
PostgreSQL: connect_timeout, statement_timeout, and a watchdog that breaks a connection whose
server stopped answering at all (statement_timeout is the server's own clock, so a frozen or
unreachable server never enforces it). Reads make one round trip a statement: no transaction
around them (`connected`), and no ping before them unless their connection sat idle.
"""

import math
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, insert, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, SQLModel

from app.config import Settings
from app.prepared import PreparedWrite

SQLITE_BULK_CACHE_KIB = 131_072  # page cache of a connection while it loads claims
SQLITE_ANALYSIS_ROWS = 400  # rows of each index ANALYZE samples: enough to rank the list indexes
# SQLite result codes (primary) that mean "busy, interrupted or not there", not a bug.
_SQLITE_UNAVAILABLE = {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_INTERRUPT", "SQLITE_CANTOPEN"}
# SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator intervention
# (57014 is statement_timeout's query_canceled, 57P01 an administrator shutdown).
_POSTGRES_UNAVAILABLE_CLASSES = {"08", "53", "57"}
# JSON columns written and read by orjson on both engines: the stdlib's encoder took 1.5% of an import.
_JSON_CODEC: dict[str, Any] = {
    "json_serializer": lambda value: orjson.dumps(value).decode(),
    "json_deserializer": orjson.loads,
}
PING_AFTER_IDLE = 1.0  # seconds a pooled PostgreSQL connection may sit unused before it is pinged when taken
_PROGRESS_STEPS = 1000  # SQLite VM instructions between deadline checks
_WATCH_TICK = 0.1
_BUDGET: ContextVar[float] = ContextVar("statement_budget", default=math.inf)
_LENT: ContextVar[Connection | None] = ContextVar("loop_connection", default=None)


@dataclass(frozen=True)
class Timeouts:
    """Seconds the service waits on its database; statement=None sets no limit (migrations, loads)."""

    statement: float | None
    connect: float
    pool: float
    pool_size: int = 10  # PostgreSQL connections per process: each request thread holds at most one


def timeouts(settings: Settings, *, limit_statements: bool = True) -> Timeouts:
    statement = settings.statement_timeout if limit_statements else None
    return Timeouts(
        statement=statement, connect=settings.connect_timeout, pool=settings.pool_timeout, pool_size=settings.pool_size
    )


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def is_unavailable(error: SQLAlchemyError) -> bool:
    """True for outages and time limits (retry later); False for errors a retry will not fix (bugs)."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlite_code = getattr(error.orig, "sqlite_errorname", None)
    if sqlite_code is not None:
        return "_".join(str(sqlite_code).split("_")[:2]) in _SQLITE_UNAVAILABLE  # SQLITE_BUSY_SNAPSHOT is BUSY
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        return str(sqlstate)[:2] in _POSTGRES_UNAVAILABLE_CLASSES
    return isinstance(error, OperationalError)  # no SQLSTATE: the server never answered (refused, reset, timed out)


class _StatementClock:
    """SQLite progress handler: a non-zero answer interrupts the running statement.

    The lock wait (busy_timeout) follows the same limit, so a statement under a budget never
    waits longer for a lock than it may run.
    """

    def __init__(self, dbapi_connection: Any, limit: float, lock_wait: float) -> None:
        self.connection = dbapi_connection
        self.limit = limit
        self.lock_wait = lock_wait
        self.deadline = math.inf

    def start(self) -> None:
        limit = min(self.limit, _BUDGET.get())
        if limit != self.lock_wait:
            _wait_for_locks(self.connection, limit)
            self.lock_wait = limit
        self.deadline = time.monotonic() + limit

    def stop(self) -> None:
        self.deadline = math.inf

    def __call__(self) -> int:
        return int(time.monotonic() > self.deadline)


@contextmanager
def statement_budget(seconds: float) -> Iterator[None]:
    """SQLite statements started inside run, or wait for a lock, at most `seconds` (less if the engine's limit is).

    A read made on the event loop holds every other request while it runs or waits: past its
    budget it fails (an OperationalError: interrupted, or the database is locked), and its caller
    can hand the work to a thread instead.
    """
    token = _BUDGET.set(seconds)
    try:
        yield
    finally:
        _BUDGET.reset(token)


class LoopConnection:
    """One connection kept open for the SQLite reads the event loop makes itself (app.api.hot_reads).

    Taking a connection from the pool and handing it back (the Connection object, the pool's
    events, its reset) cost a fifth of a claim's detail in the hot read layer, more than SQLite's
    read. The loop makes one such read at a time, so one connection, kept between them, serves all.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conn: Connection | None = None

    @contextmanager
    def lend(self) -> Iterator[None]:
        """Within, `connected(engine)` yields the kept connection. One left unusable is closed: the next read opens
        another. Opening one may raise, as engine.connect() does."""
        conn = self.conn or self.engine.connect()
        self.conn = None
        token = _LENT.set(conn)
        try:
            yield
        finally:
            _LENT.reset(token)
            self.conn = _ready_again(conn)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _ready_again(conn: Connection) -> Connection | None:
    """The connection with its transaction ended, or None (and closed) where it cannot be used again."""
    try:
        if not conn.invalidated and not conn.closed:
            if conn.in_transaction():
                conn.rollback()
            return conn
    except SQLAlchemyError:
        pass
    conn.close()
    return None


@contextmanager
def connected(engine: Engine) -> Iterator[Connection]:
    """A connection to read through: the loop's kept one while it is lent (LoopConnection), else the pool's.

    On PostgreSQL it runs each statement in a transaction of its own (autocommit): a read inside
    BEGIN ... ROLLBACK took three round trips to the server where one does. At PostgreSQL's READ
    COMMITTED every statement sees a snapshot of its own either way, so reads lose no consistency;
    what must be read together is read by one statement (a claim with the generation, say).
    """
    lent = _LENT.get()
    if lent is not None and lent.engine is engine:
        yield lent
        return
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn


def _wait_for_locks(dbapi_connection: Any, seconds: float) -> None:
    """How long the connection's statements wait for another connection's lock before failing."""
    dbapi_connection.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")


def _sqlite_engine(url: str, limits: Timeouts) -> Engine:
    def tune(dbapi_connection: Any, record: Any) -> None:
        """WAL lets readers run beside a writer; foreign keys are off by default in SQLite.

        The lock wait comes first, as the other pragmas may wait for a lock too (within a budget,
        when the connection is opened for a read on the event loop).
        """
        lock_wait = min(limits.statement or limits.connect, _BUDGET.get())
        _wait_for_locks(dbapi_connection, lock_wait)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        if limits.statement is not None:
            record.info["clock"] = clock = _StatementClock(dbapi_connection, limits.statement, lock_wait)
            dbapi_connection.set_progress_handler(clock, _PROGRESS_STEPS)

    in_memory = make_url(url).database in (None, "", ":memory:")  # one connection per thread: no pool to wait on
    pooling = {} if in_memory else {"pool_timeout": limits.pool}
    engine = create_engine(url, connect_args={"check_same_thread": False}, **pooling, **_JSON_CODEC)
    event.listen(engine, "connect", tune)
    if limits.statement is not None:
        _time_statements(engine)
    return engine


def _time_statements(engine: Engine) -> None:
    """Each statement starts its connection's clock; ending the transaction stops it."""

    def start(conn: Any, *_: Any) -> None:
        conn.info["clock"].start()

    def stop(conn: Any, *_: Any) -> None:
        if "clock" in conn.info:
            conn.info["clock"].stop()

    def stop_on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if "clock" in record.info:
            record.info["clock"].stop()

    event.listen(engine, "before_cursor_execute", start)
    event.listen(engine, "commit", stop)
    event.listen(engine, "rollback", stop)
    event.listen(engine.pool, "checkin", stop_on_checkin)


class _StallWatchdog:
    """Shuts down the socket of a PostgreSQL connection that waited too long for any answer.

    The driver then fails at once with a connection error: the pool discards the connection
    and the request gets a 503. The watching thread runs only while something is watched.
    """

    def __init__(self, patience: float) -> None:
        self.patience = patience
        self.watched: dict[int, tuple[float, Any]] = {}
        self.lock = threading.Lock()
        self.running = False

    def watch(self, dbapi_connection: Any) -> None:
        with self.lock:
            self.watched[id(dbapi_connection)] = (time.monotonic() + self.patience, dbapi_connection)
            if not self.running:
                self.running = True
                threading.Thread(target=self._run, name="db-stall-watchdog", daemon=True).start()

    def release(self, dbapi_connection: Any) -> None:
        with self.lock:
            self.watched.pop(id(dbapi_connection), None)

    def _run(self) -> None:
        while True:
            time.sleep(_WATCH_TICK)
            with self.lock:
                if not self.watched:
                    self.running = False
                    return
                now = time.monotonic()
                stalled = [conn for key, (deadline, conn) in list(self.watched.items()) if deadline < now]
                for conn in stalled:
                    del self.watched[id(conn)]
            for conn in stalled:
                _break(conn)

    def install(self, engine: Engine) -> None:
        """Watch every statement, commit, rollback and pool ping on the engine's connections."""

        def watch(conn: Any, *_: Any) -> None:
            if not conn.invalidated:  # a connection that failed is rolled back without a word to the server
                self.watch(conn.connection.dbapi_connection)

        def release(conn: Any, *_: Any) -> None:
            self.release(conn.connection.dbapi_connection)

        def release_on_error(context: Any) -> None:
            if context.connection is not None and not context.connection.closed:
                self.release(context.connection.connection.dbapi_connection)

        def release_on_checkin(dbapi_connection: Any, _record: Any) -> None:
            self.release(dbapi_connection)

        event.listen(engine, "before_cursor_execute", watch)
        event.listen(engine, "after_cursor_execute", release)
        event.listen(engine, "commit", watch)
        event.listen(engine, "rollback", watch)
        event.listen(engine, "handle_error", release_on_error)
        event.listen(engine.pool, "checkin", release_on_checkin)
        ping = engine.dialect.do_ping

        def watched_ping(dbapi_connection: Any) -> bool:
            self.watch(dbapi_connection)
            try:
                return ping(dbapi_connection)
            finally:
                self.release(dbapi_connection)

        setattr(engine.dialect, "do_ping", watched_ping)  # noqa: B010  (the pool pings through the dialect)


def _break(dbapi_connection: Any) -> None:
    """Half-close the connection's socket, waking the thread blocked on it with an error."""
    try:
        with socket.socket(fileno=os.dup(dbapi_connection.fileno())) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: nothing is waiting on it


def _postgres_engine(url: str, limits: Timeouts) -> Engine:
    # psycopg prepares a statement run five times on a connection; PostgreSQL then plans it without its values
    # once that plan looks no dearer, and a search's best plan depends on how common its words are.
    options = ["-c plan_cache_mode=force_custom_plan"]
    if limits.statement is not None:
        options.append(f"-c statement_timeout={math.ceil(limits.statement * 1000)}")
    connect_args: dict[str, Any] = {"connect_timeout": max(2, math.ceil(limits.connect)), "options": " ".join(options)}
    engine = create_engine(
        url,
        pool_size=limits.pool_size,
        max_overflow=0,
        pool_timeout=limits.pool,
        connect_args=connect_args,
        **_JSON_CODEC,
    )
    if limits.statement is not None:
        _StallWatchdog(patience=limits.statement + limits.connect).install(engine)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """A pooled connection that sat unused for PING_AFTER_IDLE is pinged as it is taken; a dead one is replaced.

    The pool's own pre-ping asked the server on every checkout: a round trip per request, as long
    as a claim's read itself. Connections die while idle (a server restart, a proxy's idle
    timeout); one in steady use is checked by its next statement, and a connection error there
    is a 503 after which the pool replaces every connection taken before it.
    """

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)  # the watchdog's, where one is installed
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(f"an idle connection no longer answers: {error}") from error

    event.listen(engine.pool, "checkin", checked_in)
    event.listen(engine.pool, "checkout", checked_out)


WriteLock = Callable[[Session], bool]
_LOAD_LOCK_KEY = 7254020


def _advisory_lock(session: Session) -> bool:
    """PostgreSQL: a transaction-level advisory lock, refused at once while another load holds it."""
    return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _LOAD_LOCK_KEY}).scalar_one())


def _immediate_lock(session: Session) -> bool:
    """SQLite: write first, which takes the database's write lock as BEGIN IMMEDIATE would, before any read."""
    try:
        session.execute(text("UPDATE dataset_state SET generation = generation"))
    except OperationalError as error:
        if is_unavailable(error):  # still locked after the lock wait: another writer holds it
            return False
        raise
    return True


def load_lock_for(engine: Engine) -> WriteLock:
    """How a load takes the database to itself, so two loads never interleave and lose a version bump."""
    return _advisory_lock if engine.dialect.name == "postgresql" else _immediate_lock


def missing_file(engine: Engine) -> Path | None:
    """The SQLite file the engine points at, if it is gone (a new connection would silently create it)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
        return None
    path = Path(database or "")
    return None if path.exists() else path


def refresh_statistics(engine: Engine) -> None:
    """Give SQLite's query planner fresh statistics of the indexed tables, after a load or an upgrade.

    Without them SQLite picks an index by its shape alone: at 100,000 claims, a page filtered by
    topic, verdict and certainty read every claim of that certainty and sorted them (3-16 ms),
    where the topic index walked in id order serves it in 0.2-0.3 ms. It samples about
    SQLITE_ANALYSIS_ROWS rows of each index (0.1 s at 100,000 claims). Tables without an index,
    FTS5's own among them, are left out: the planner has no index of theirs to choose, and a plain
    ANALYZE counted their rows by reading them whole, 1.5 s after every load at 1,000,000 claims.
    PostgreSQL's autovacuum analyzes the tables a load changed on its own, without holding up the
    load's answer.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_ROWS}")
        indexed = "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'index'"
        tables: list[str] = list(conn.exec_driver_sql(indexed).scalars())
        for table in tables:
            conn.exec_driver_sql(f'ANALYZE "{table}"')


@contextmanager
def bulk_write_cache(session: Session) -> Iterator[None]:
    """SQLite: a page cache that holds a bulk write's dirty pages, for as long as it writes them.

    With the default 2 MB, a load of 20,000 claims in one transaction spilled pages to the WAL and
    read them back, 47 reads a claim; with 128 MB, 6. Loading 100,000 claims spent 45 s in the kernel
    instead of 20. Only writers get it, for the write's duration: pooled readers keeping as much would add up.
    """
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    conn = session.connection()
    usual: int = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_BULK_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={usual}")


def create_db_engine(url: str, limits: Timeouts | None = None) -> Engine:
    """An engine for `url`; without limits, statements may run as long as they need (tools, tests)."""
    limits = limits or Timeouts(statement=None, connect=5.0, pool=30.0)
    return _sqlite_engine(url, limits) if is_sqlite(url) else _postgres_engine(url, limits)


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[Mapping[str, Any]]) -> None:
    """Plain rows, each naming the same columns, into the model's table as one executemany.

    The ORM's bulk insert spends about four times the database's own time per row on bookkeeping
    these rows do not need, and Core's executemany still converts each row's values through its
    execution layer (app.prepared). Pending ORM objects are flushed first, so the rows may refer to them.
    """
    if not rows:
        return
    session.flush()
    table = model.__table__  # type: ignore[attr-defined]
    key = (table.name, tuple(rows[0]))
    prepared = _INSERTS.get(key) or _INSERTS.setdefault(key, PreparedWrite(insert(table), key[1]))
    prepared.run(session.connection(), rows)


_INSERTS: dict[tuple[str, tuple[str, ...]], PreparedWrite] = {}  # one per table and set of columns written

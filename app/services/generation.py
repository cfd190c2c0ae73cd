"""The dataset generation, which keys everything remembered between requests: how each replica learns it.

Every write bumps the generation in its own transaction. SQLite is a local file, so asking
it costs microseconds. On PostgreSQL asking is a round trip, so a listener thread learns each
new generation from NOTIFY (sent by a trigger when the write commits) and requests ask no
one. The listener also re-reads the generation every half of `max_staleness`, so a lost
notification or a silently dead connection is caught; when it has confirmed nothing for
`max_staleness` seconds, requests read the database themselves until it recovers.
"""

import math
import threading
import time
from typing import Any, Protocol

import psycopg
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from app.prepared import PreparedRead

CHANNEL = "evidence_generation"  # the trigger of migration 0008 notifies it
_READ = "SELECT generation FROM dataset_state"
_RETRY_SECONDS = 1.0


_GENERATION = PreparedRead(text(_READ))  # asked before every remembered answer on SQLite: kept cheap


def read_generation(conn: Connection) -> int | None:
    row = _GENERATION.first(conn)
    return None if row is None or row[0] is None else int(row[0])


class Generation(Protocol):
    def known(self) -> int | None:
        """The generation if it is known without asking the database, else None."""
        ...

    def current(self, conn: Connection | None = None) -> int | None:
        """The generation, asking the database (through `conn` if given) when it is not known.

        None when the database cannot say (unreachable, not migrated): remember nothing then.
        """
        ...

    def close(self) -> None: ...


class PolledGeneration:
    """Asks the database every time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def known(self) -> int | None:
        return None

    def current(self, conn: Connection | None = None) -> int | None:
        try:
            if conn is not None:
                return read_generation(conn)
            with self.engine.connect() as own:
                return read_generation(own)
        except SQLAlchemyError:
            return None

    def close(self) -> None:
        pass


class NotifiedGeneration:
    """PostgreSQL: learnt from LISTEN/NOTIFY by a background thread; stale by at most `max_staleness` seconds.

    A write committed through this process's own engine is seen at once by its next request:
    until the listener reports that write, requests ask the database.
    """

    def __init__(self, engine: Engine, *, max_staleness: float) -> None:
        self.polled = PolledGeneration(engine)
        self.conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.max_staleness = max_staleness
        self.lock = threading.Lock()
        self.value: int | None = None
        self.confirmed = -math.inf  # monotonic time the listener last confirmed `value`
        self.floor: float = 0  # no value below this may be served from memory (a local write's generation)
        self.stopping = threading.Event()
        event.listen(engine, "commit", self._note_commit)
        event.listen(engine.pool, "checkin", self._after_commit)
        self.thread = threading.Thread(target=self._listen, name="generation-listener", daemon=True)
        self.thread.start()

    def known(self) -> int | None:
        with self.lock:
            fresh = time.monotonic() - self.confirmed < self.max_staleness
            return self.value if fresh and self.value is not None and self.value >= self.floor else None

    def current(self, conn: Connection | None = None) -> int | None:
        value = self.known()
        if value is not None:
            return value
        polled = self.polled.current(conn)
        if polled is not None:
            with self.lock:
                if self.floor == math.inf:
                    self.floor = polled
        return polled

    def close(self) -> None:
        """The listener stops within one heartbeat; nobody waits for it."""
        self.stopping.set()

    def _note_commit(self, conn: Any) -> None:
        conn.info["committed"] = True

    def _after_commit(self, _dbapi_connection: Any, record: Any) -> None:
        """Back in the pool after a commit: until the listener catches up, ask the database."""
        if record.info.pop("committed", False):
            with self.lock:
                self.floor = math.inf

    def _confirm(self, value: int) -> None:
        with self.lock:
            self.value = value if self.value is None else max(self.value, value)
            self.confirmed = time.monotonic()
            if self.floor != math.inf and self.value >= self.floor:
                self.floor = 0

    def _listen(self) -> None:
        heartbeat = self.max_staleness / 2
        while not self.stopping.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as listener:
                    listener.execute(f"LISTEN {CHANNEL}")
                    while not self.stopping.is_set():
                        row = listener.execute(_READ).fetchone()
                        if row is not None:
                            self._confirm(int(row[0]))
                        for notice in listener.notifies(timeout=heartbeat):
                            self._confirm(int(notice.payload))
            except (psycopg.Error, ValueError):  # unreachable, not migrated, a bad payload: requests ask meanwhile
                with self.lock:
                    self.confirmed = -math.inf
                self.stopping.wait(_RETRY_SECONDS)


def generation_for(engine: Engine, *, max_staleness: float) -> Generation:
    """Chosen once per app: notified on PostgreSQL, polled on SQLite."""
    if engine.dialect.name == "postgresql":
        return NotifiedGeneration(engine, max_staleness=max_staleness)
    return PolledGeneration(engine)

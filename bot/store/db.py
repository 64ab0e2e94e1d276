"""The engine, and `Database.run`: one unit of work in a worker thread, committed once.

The gateway is asynchronous; the store is plain (synchronous) SQLAlchemy 2. `Database.run(work)`
runs `work(session)` in a thread, commits if it returned and rolls back if it raised, so the async
code never blocks the event loop on the database. Nothing here runs at import time.

A connection the server cut (a PostgreSQL restart or failover, `pg_terminate_backend`) fails
only the transaction it was in. `pool_pre_ping` replaces the pooled connections the server closed;
a unit of work whose connection was cut *before* its commit was sent is safe to run again (the
server rolled it back, and a unit of work only touches the store: what it announces is announced
after the commit), so it is, up to `DISCONNECT_RETRIES` times; so is one that could not connect
at all (the server down for a moment while it restarts). A cut during the commit itself
is not retried: whether it committed is unknown, so the error goes up (a client's message is
then sent again with its `client_message_id`, stored once; an answer's transaction, which can
tell by its message being routed, is run again by bot/core/turn_end.py).

SQLite lets one transaction write at a time, and a writer that finds the file locked sleeps in
SQLite's busy handler (1, 2, 5 … 100 ms) before it looks again. Under load the worker threads
spent most of their time there (py-spy: ~13 threads at once, in the claim, the intake's insert
and the answer's first write), with the cores half idle. So on SQLite a process runs its units
of work one at a time, reads included (a lock: a waiting thread takes it as soon as it is free,
not after a sleep); the busy handler is left to other processes (a command of `bot.cli` on the
same file). A unit of work that waits inside (erasure deleting from Rasa's SQLite tracker file,
which has its own busy timeout) holds the others meanwhile. PostgreSQL locks rows, not the
database: its units of work run side by side. With the threads in line, the holder spent most
of its time in the commit's fsync: SQLite's file runs with `synchronous = NORMAL` (in WAL mode:
never corrupted, nothing lost when a process is killed, only a power cut or an OS crash may undo
the last commits). SQLite is `make run`'s one-machine default; the production profile's store is
PostgreSQL, which is durable at every commit.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
log = logging.getLogger("bot.store.db")


# A server that drops packets fails the start (or a request) after this, not after TCP's minutes.
CONNECT_TIMEOUT_SECONDS = 5
# A unit of work interrupted by a cut connection, or that could not connect (the server
# restarting), runs again after these pauses (seconds): 7.5 s of pauses in all, longer than a
# PostgreSQL restart takes (plus up to CONNECT_TIMEOUT_SECONDS a try if the server drops packets).
DISCONNECT_RETRIES = (0.05, 0.5, 1.0, 2.0, 4.0)
# Connections a gateway process keeps to PostgreSQL, and how many more it may open for a burst.
# SQLAlchemy's default (5 + 10) was too small for the gateway's worker threads under load: the
# connections past 5 were opened and closed again for every unit of work (py-spy: a quarter of
# a gateway's store time in connecting, at N = 50). Two gateways' 40 at most, and the few that
# Rasa's tracker stores, the platform and the gateway's rarely used engine for Rasa's trackers
# (erasure) have open, stay under PostgreSQL's default max_connections (100): that counts the
# connections in use, not those other pools' limits.
POOL_SIZE, POOL_OVERFLOW = 15, 5


def make_engine(database_url: str) -> Engine:
    """An engine for the URL; a SQLite file gets its folder, foreign keys and WAL mode.

    `hide_parameters` keeps bound values (message text, e-mail addresses) out of errors and logs.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        connect_args = ({"connect_timeout": CONNECT_TIMEOUT_SECONDS}
                        if url.get_backend_name() == "postgresql" else {})
        return create_engine(url, hide_parameters=True, pool_pre_ping=True,
                             pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW,
                             connect_args=connect_args)
    database = url.database or ""
    in_memory = database in ("", ":memory:")
    if not in_memory and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, hide_parameters=True,
                           connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas(wal=not in_memory))
    return engine


def _sqlite_pragmas(wal: bool) -> Callable:
    def on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if wal:  # another process's readers never wait for a writer
            cursor.execute("PRAGMA journal_mode = WAL")
            # A commit no longer waits for the disk (fsync at checkpoints only): safe from
            # corruption, and nothing committed is lost when a process dies; a power cut may
            # lose the last commits (the module's docstring).
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return on_connect


class _Writes(threading.local):
    count = 0


# Statements other than reads sent by this thread's unit of work (`Database.run_sync`).
_writes = _Writes()
_READS = frozenset({"", ";", "SELECT", "SHOW", "SET", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK"})


def _count_writes(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
    words = statement.lstrip().split(None, 1)
    if (words[0].upper() if words else "") not in _READS:
        _writes.count += 1


class Database:
    """The gateway's store: an engine and its session factory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        # One unit of work at a time on SQLite (the module's docstring), the pauses between
        # tries outside it. Units of work never nest (on SQLite an inner one would wait for the
        # outer's file lock); re-entrant all the same, so a mistake fails after SQLite's busy
        # timeout instead of hanging.
        self._one_at_a_time: contextlib.AbstractContextManager[Any] = (
            threading.RLock() if engine.url.get_backend_name() == "sqlite"
            else contextlib.nullcontext())
        if not event.contains(engine, "before_cursor_execute", _count_writes):
            event.listen(engine, "before_cursor_execute", _count_writes)

    @classmethod
    def from_url(cls, database_url: str) -> Database:
        return cls(make_engine(database_url))

    def __repr__(self) -> str:
        return f"Database(backend={self.engine.url.get_backend_name()!r})"

    def run_sync(self, work: Callable[[Session], T]) -> T:
        """`work(session)` in one transaction: committed if it returns, rolled back if it raises;
        run again on a fresh connection when the server cut its connection before the commit
        (or during the commit of a transaction that wrote nothing)."""
        for pause in (*DISCONNECT_RETRIES, None):
            _writes.count = 0
            committing = False
            with self._one_at_a_time, self.sessions() as session:
                try:
                    result = work(session)
                    session.flush()
                    committing = True
                    session.commit()
                    return result
                except DBAPIError as exc:
                    session.rollback()
                    unknown_outcome = committing and _writes.count > 0
                    # no statement: connecting failed (the server restarting), or a BEGIN or a
                    # COMMIT did (a commit of writes is `unknown_outcome`, never run again)
                    lost = exc.connection_invalidated or exc.statement is None
                    if pause is None or not lost or unknown_outcome:
                        raise
                    log.warning("store connection lost (%s); the unit of work runs again",
                                type(exc.orig).__name__)
                except BaseException:
                    session.rollback()
                    raise
            time.sleep(pause)
        raise AssertionError("unreachable")  # the last attempt returned or raised

    async def run(self, work: Callable[[Session], T]) -> T:
        """`run_sync` in a worker thread."""
        return await anyio.to_thread.run_sync(self.run_sync, work)

    def dispose(self) -> None:
        self.engine.dispose()

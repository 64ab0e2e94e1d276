"""The engine, and `Database.run`: one unit of work in a worker thread, committed once.

The gateway is asynchronous; the store is plain (synchronous) SQLAlchemy 2. `Database.run(work)`
runs `work(session)` in a thread, commits if it returned and rolls back if it raised, so the async
code never blocks the event loop on the database. Nothing here runs at import time.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import anyio.to_thread
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")


# A server that drops packets fails the start (or a request) after this, not after TCP's minutes.
CONNECT_TIMEOUT_SECONDS = 5


def make_engine(database_url: str) -> Engine:
    """An engine for the URL; a SQLite file gets its folder, foreign keys and WAL mode.

    `hide_parameters` keeps bound values (message text, e-mail addresses) out of errors and logs.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        connect_args = ({"connect_timeout": CONNECT_TIMEOUT_SECONDS}
                        if url.get_backend_name() == "postgresql" else {})
        return create_engine(url, hide_parameters=True, pool_pre_ping=True,
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
        if wal:  # readers (history, SSE replay) never wait for a writer
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    return on_connect


class Database:
    """The gateway's store: an engine and its session factory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, database_url: str) -> Database:
        return cls(make_engine(database_url))

    def __repr__(self) -> str:
        return f"Database(backend={self.engine.url.get_backend_name()!r})"

    def run_sync(self, work: Callable[[Session], T]) -> T:
        """`work(session)` in one transaction: committed if it returns, rolled back if it raises."""
        with self.sessions() as session:
            try:
                result = work(session)
            except BaseException:
                session.rollback()
                raise
            session.commit()
            return result

    async def run(self, work: Callable[[Session], T]) -> T:
        """`run_sync` in a worker thread."""
        return await anyio.to_thread.run_sync(self.run_sync, work)

    def dispose(self) -> None:
        self.engine.dispose()

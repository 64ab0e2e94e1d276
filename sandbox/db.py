"""Engine and session factory from a database URL (SQLite by default, PostgreSQL via the URL).

Nothing here runs at import time: the app factory and `python -m sandbox` call these.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from sandbox.models import Base

# A server that drops packets fails the start (or a request) after this, not after TCP's minutes.
CONNECT_TIMEOUT_SECONDS = 5


def make_engine(database_url: str) -> Engine:
    """An engine for `database_url`; for a SQLite file, its folder is created if missing.

    `hide_parameters` keeps bound values (names, e-mail addresses) out of error messages and logs.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        connect_args = ({"connect_timeout": CONNECT_TIMEOUT_SECONDS}
                        if url.get_backend_name() == "postgresql" else {})
        return create_engine(url, hide_parameters=True, pool_pre_ping=True,
                             connect_args=connect_args)
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, hide_parameters=True, connect_args={"check_same_thread": False, "timeout": 30}
    )
    event.listen(engine, "connect", _sqlite_foreign_keys)
    return engine


def _sqlite_foreign_keys(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def create_schema(engine: Engine) -> None:
    """Create missing tables (existing ones are left alone), and add the columns a database made
    by an older sandbox lacks (`clients.time_zone`)."""
    Base.metadata.create_all(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("clients")}
    if "time_zone" not in columns:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE clients ADD COLUMN time_zone VARCHAR(64) "
                                    "NOT NULL DEFAULT 'UTC'"))

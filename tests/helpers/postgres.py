"""PostgreSQL for tests: is it reachable, and a throw-away schema to run in.

When PostgreSQL cannot be reached the test is skipped with the reason, except in CI (`CI=true`),
where a missing database is a failure, not a skip.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, make_url, text

from tests.helpers.ci import skip_or_fail_in_ci

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# For a module-scoped `backend` fixture: run the module on SQLite and on PostgreSQL.
BOTH_BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def unreachable_reason(url: str = DEFAULT_POSTGRES_URL) -> str | None:
    """None if a connection to `url` works, else why not."""
    libpq_url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(libpq_url, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        first_line = (str(exc).strip().splitlines() or [""])[0]
        return f"{type(exc).__name__}: {first_line}"
    return None


def require_postgres(url: str = DEFAULT_POSTGRES_URL) -> None:
    """Skip the calling test (fail it when CI=true) unless PostgreSQL at `url` answers."""
    reason = unreachable_reason(url)
    if reason is None:
        return
    where = make_url(url).render_as_string(hide_password=True)
    message = f"PostgreSQL is not reachable at {where} ({reason})"
    skip_or_fail_in_ci(message)


@contextmanager
def temporary_schema(url: str = DEFAULT_POSTGRES_URL) -> Iterator[str]:
    """A fresh schema, dropped afterwards; yields `url` with that schema as its search_path."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url, pool_pre_ping=True)  # outlives a server restart (faults test)
    try:
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={name}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=BOTH_BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh store's URL, once on SQLite and once on PostgreSQL (a throw-away schema)."""
    if request.param == "postgresql":
        require_postgres()
        with temporary_schema() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'store.db'}"

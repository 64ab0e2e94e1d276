"""The store under concurrent units of work (bot/store/db.py): on SQLite one at a time, so no
writer sleeps in SQLite's busy handler; on PostgreSQL side by side, on a pool that keeps its
connections."""
from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.store.db import POOL_OVERFLOW, POOL_SIZE, Database
from tests.helpers.postgres import DEFAULT_POSTGRES_URL, require_postgres, temporary_schema

UNITS = 24


class Overlap:
    """How many units of work ran at once, at most."""

    def __init__(self, hold: float) -> None:
        self.hold = hold  # seconds each unit keeps its transaction open
        self.lock = threading.Lock()
        self.now = self.most = 0

    def unit(self, row: int):
        def work(session: Session) -> int:
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
            try:
                session.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": row})
                time.sleep(self.hold)  # so that the other threads are waiting meanwhile
                return row
            finally:
                with self.lock:
                    self.now -= 1

        return work


async def _all_at_once(db: Database, overlap: Overlap) -> list[int]:
    return list(await asyncio.gather(*(db.run(overlap.unit(n)) for n in range(UNITS))))


def test_on_sqlite_units_of_work_run_one_at_a_time_and_all_commit(tmp_path: Path):
    db = Database.from_url(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        db.run_sync(lambda session: session.execute(text("CREATE TABLE t (n INTEGER)")))
        overlap = Overlap(hold=0.01)  # one at a time: UNITS times this in all
        assert asyncio.run(_all_at_once(db, overlap)) == list(range(UNITS))
        assert overlap.most == 1
        count = db.run_sync(lambda session: session.execute(text("SELECT count(*) FROM t"))
                            .scalar_one())
        assert count == UNITS
        mode = db.run_sync(lambda session: session.execute(text("PRAGMA synchronous"))
                           .scalar_one())
        assert mode == 1  # NORMAL
    finally:
        db.dispose()


@pytest.mark.postgres
def test_on_postgresql_units_of_work_run_side_by_side_on_pooled_connections():
    require_postgres()
    with temporary_schema(DEFAULT_POSTGRES_URL) as url:
        db = Database.from_url(url)
        try:
            db.run_sync(lambda session: session.execute(text("CREATE TABLE t (n INTEGER)")))
            # long enough for every unit to have asked for a connection, also on a slow machine
            overlap = Overlap(hold=0.2)
            assert asyncio.run(_all_at_once(db, overlap)) == list(range(UNITS))
            assert overlap.most > 1
            assert db.engine.pool.size() == POOL_SIZE  # type: ignore[attr-defined]
            assert db.engine.pool._max_overflow == POOL_OVERFLOW  # type: ignore[attr-defined]
            # connections are kept for the next burst, not closed after each unit of work
            assert db.engine.pool.checkedin() == POOL_SIZE  # type: ignore[attr-defined]
        finally:
            db.dispose()

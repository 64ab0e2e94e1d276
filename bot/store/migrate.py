"""Bring a database to the newest schema: `upgrade_head(engine)` (Alembic's `upgrade head`)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

ROOT = Path(__file__).resolve().parents[2]


def alembic_config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "bot" / "store" / "migrations"))
    config.attributes["configure_logging"] = False
    return config


@contextmanager
def foreign_keys_off(connection: Connection) -> Iterator[None]:
    """On SQLite, foreign keys off while migrating: batch mode rebuilds a table by copying it and
    dropping the old one, and with foreign keys on that drop would cascade (every message of
    every conversation deleted with the old `conversations`). SQLite ignores the pragma inside a
    transaction, so it is set between transactions. Other databases: nothing to do."""
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
    connection.commit()
    try:
        yield
    finally:
        connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        connection.commit()


def upgrade_head(engine: Engine) -> None:
    """Apply every migration not yet applied, in one transaction on the engine's database."""
    config = alembic_config()
    with engine.connect() as connection, foreign_keys_off(connection), connection.begin():
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

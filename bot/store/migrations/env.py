"""Alembic environment for the gateway's store.

The database URL, first found wins: a connection handed over by `bot.store.migrate` (the gateway
at start, the tests), `-x url=...` on the command line, then GATEWAY_DATABASE_URL (from the
environment, or `.env` at the repository root like `make run`) through `bot.config.load_store_url`:
the URL alone, so `alembic upgrade head` needs no secret of the gateway's.
"""
from __future__ import annotations

import logging.config
import os
import sys
from pathlib import Path

from alembic import context
from sqlalchemy import Connection

from bot.store.db import make_engine
from bot.store.migrate import foreign_keys_off
from bot.store.models import Base

ROOT = Path(__file__).resolve().parents[3]  # bot/store/migrations/env.py -> the repository

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url:
        return url
    from dotenv import load_dotenv

    from bot.config import SettingsError, load_store_url

    load_dotenv(ROOT / ".env")  # the environment wins over the file
    try:
        return load_store_url(os.environ)
    except SettingsError as exc:  # one line that names the fix, not a traceback
        sys.exit(f"alembic: {exc}")


def _configure(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True,  # SQLite can't ALTER much: batch mode copies tables
                      compare_type=True)


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    if config.config_file_name and config.attributes.get("configure_logging", True):
        logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)
    engine = make_engine(_database_url())
    try:
        with engine.connect() as connection, foreign_keys_off(connection):
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


def run_offline() -> None:
    context.configure(url=_database_url(), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()

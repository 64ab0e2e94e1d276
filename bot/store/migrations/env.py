"""Alembic environment for the gateway's store.

The database URL, first found wins: a connection handed over by `bot.store.migrate` (the gateway
at start, the tests), `-x url=...` on the command line, then `GATEWAY_DATABASE_URL` through
`bot.config.load_gateway_settings()` (reading .env like `make run` does).
"""
from __future__ import annotations

import logging.config

from alembic import context
from sqlalchemy import Connection

from bot.store.db import make_engine
from bot.store.models import Base

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url:
        return url
    from dotenv import load_dotenv

    from bot.config import load_gateway_settings
    from bot.processes import ROOT

    load_dotenv(ROOT / ".env")
    return load_gateway_settings().database_url


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
        with engine.connect() as connection:
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

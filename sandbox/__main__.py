"""Serve the sandbox: `python -m sandbox [--reset | --reset-only]`.

Reads its settings with `sandbox.settings.load_sandbox_settings()` (SANDBOX_DATABASE_URL,
PLATFORM_API_KEY, SANDBOX_HOST, SANDBOX_PORT); seeds the demo hub if the database is empty, or
re-seeds it with `--reset`; `--reset-only` re-seeds and exits without serving (`make reset-demo`).
Open http://127.0.0.1:8000/docs for the API and /outbox for the e-mails.

A bad setting (a placeholder PLATFORM_API_KEY, a malformed port, URL or SANDBOX_DATABASE_URL) or
a database that can't be reached stops it with exit code 2 and one line on stderr that names the
variable (a database password is never shown).
"""
from __future__ import annotations

import argparse
import logging
import sys

import uvicorn
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from sandbox.api import create_app
from sandbox.db import make_engine
from sandbox.seed import prepare_database
from sandbox.settings import SettingsError, load_sandbox_settings
from sandbox.times import system_clock

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_REASON = 300


class DatabaseUnavailable(Exception):
    """The sandbox's database can't be used; the message names SANDBOX_DATABASE_URL."""


def redacted(database_url: str) -> str:
    """The URL as safe to print: its password masked (nothing of it, if it doesn't parse)."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is simply not shown
        return "(SANDBOX_DATABASE_URL)"


def reason(exc: BaseException, database_url: str) -> str:
    """The error's kind and message on one line, without the URL's password."""
    cause = getattr(exc, "orig", None) or exc  # a DB-API error wrapped by SQLAlchemy
    message = " ".join(str(cause).split()) or "no detail"
    try:
        password = make_url(database_url).password
    except Exception:  # noqa: BLE001 - nothing parsed, nothing to hide beyond the URL itself
        password = None
    if password:
        message = message.replace(str(password), "***")
    message = message.replace(database_url, redacted(database_url))
    if len(message) > MAX_REASON:
        message = message[:MAX_REASON] + "..."
    return f"{type(cause).__name__}: {message}"


REACHABLE = "and that its database is running and reachable"
WRITABLE = "and that the database can be written to"


def database_problem(database_url: str, exc: BaseException, doing: str,
                     check: str = REACHABLE) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"the database at {redacted(database_url)} {doing} ({reason(exc, database_url)}). "
        f"Check SANDBOX_DATABASE_URL {check}; see .env.example.")


def open_database(database_url: str) -> Engine:
    """The engine, once one connection to the database worked."""
    try:
        engine = make_engine(database_url)
    except (SQLAlchemyError, OSError, ImportError, ValueError) as exc:
        raise database_problem(database_url, exc, "can't be opened") from exc
    try:
        with engine.connect():
            pass
    except (SQLAlchemyError, OSError) as exc:
        engine.dispose()
        raise database_problem(database_url, exc, "can't be reached") from exc
    return engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--reset", action="store_true", help="re-seed the demo hub, then serve")
    mode.add_argument("--reset-only", action="store_true", help="re-seed the demo hub and exit")
    args = parser.parse_args(argv)
    try:
        settings = load_sandbox_settings()
    except SettingsError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    try:
        engine = open_database(settings.database_url)
        try:
            if prepare_database(engine, system_clock(), reset=args.reset or args.reset_only):
                logging.getLogger("sandbox").info("seeded the demo hub")
        except OperationalError as exc:  # read-only, locked, gone away...
            raise database_problem(settings.database_url, exc, "can't be prepared",
                                   WRITABLE) from exc
        finally:
            engine.dispose()
    except DatabaseUnavailable as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    if args.reset_only:
        return 0
    # The access log is off: it would print query strings (e-mail addresses); ours logs paths only.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

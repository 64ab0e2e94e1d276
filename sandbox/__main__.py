"""Serve the sandbox: `python -m sandbox [--reset | --reset-only]`.

Reads its settings with `sandbox.settings.load_sandbox_settings()` (SANDBOX_DATABASE_URL,
PLATFORM_API_KEY, SANDBOX_HOST, SANDBOX_PORT); seeds the demo hub if the database is empty, or
re-seeds it with `--reset`; `--reset-only` re-seeds and exits without serving (`make reset-demo`).
Open http://127.0.0.1:8000/docs for the API and /outbox for the e-mails.
"""
from __future__ import annotations

import argparse
import logging
import sys

import uvicorn

from sandbox.settings import SettingsError, load_sandbox_settings
from sandbox.api import create_app
from sandbox.db import make_engine
from sandbox.seed import prepare_database
from sandbox.times import system_clock

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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
    engine = make_engine(settings.database_url)
    try:
        if prepare_database(engine, system_clock(), reset=args.reset or args.reset_only):
            logging.getLogger("sandbox").info("seeded the demo hub")
    finally:
        engine.dispose()
    if args.reset_only:
        return 0
    # The access log is off: it would print query strings (e-mail addresses); ours logs paths only.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

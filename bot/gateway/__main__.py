"""Serve the gateway: `python -m bot.gateway`.

At start, in this order, each failure a single line on stderr and exit code 2 (no traceback):

1. the settings, read once by `bot.config` (GATEWAY_*, RASA_URL, RASA_TOKEN, RASA_WEBHOOK_SECRET,
   WIDGET_*, DEMO_AGENT_*, CONSOLE_*, SUPPORT_*, PLATFORM_*; see .env.example): a missing,
   placeholder or too short secret, a malformed port, URL or GATEWAY_DATABASE_URL stops it with
   a sentence naming the variable;
   a retired setting still set (SUPPORT_HOURS) is a warning line, not a failure;
2. the conversation store: it must open, answer and take the migrations (Alembic `upgrade head`),
   or the line names GATEWAY_DATABASE_URL (its password never shown);
3. the demo agent and the demo lead (DEMO_LEAD_*, with the agent's password) are created or
   updated; then (bot/gateway/app.py) the messages a stopped
   gateway left unrouted are routed, and it serves the widget API, the console (/console) and the
   widget's files on GATEWAY_HOST:GATEWAY_PORT.
"""
from __future__ import annotations

import logging
import socket
import sys

from alembic.util.exc import CommandError
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from bot.config import (
    GatewaySettings,
    SettingsError,
    load_gateway_settings,
    load_platform_settings,
    warn_retired_settings,
)
from bot.store import conversations as store
from bot.store.db import Database
from bot.store.migrate import upgrade_head
from bot.store.models import ROLE_LEAD

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_REASON = 300


class StoreUnavailable(Exception):
    """The conversation store can't be used; the message names GATEWAY_DATABASE_URL and the fix."""


def redacted(database_url: str) -> str:
    """The URL as safe to print: its password masked (nothing of it, if it doesn't parse)."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is simply not shown
        return "(GATEWAY_DATABASE_URL)"


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
WRITABLE = "(another version's database?) and that the database can be written to"


def store_problem(database_url: str, exc: BaseException, doing: str,
                  check: str = REACHABLE) -> StoreUnavailable:
    return StoreUnavailable(
        f"the conversation store at {redacted(database_url)} {doing} ({reason(exc, database_url)})."
        f" Check GATEWAY_DATABASE_URL {check}; see .env.example.")


def open_store(database_url: str) -> Database:
    """The store's engine, once one connection to it worked."""
    try:
        db = Database.from_url(database_url)
    except (SQLAlchemyError, OSError, ImportError, ValueError) as exc:
        raise store_problem(database_url, exc, "can't be opened") from exc
    try:
        with db.engine.connect():
            pass
    except (SQLAlchemyError, OSError) as exc:
        db.dispose()
        raise store_problem(database_url, exc, "can't be reached") from exc
    return db


def prepare_store(settings: GatewaySettings) -> None:
    """Migrate the store and seed the demo agent (password from the settings, hashed)."""
    from bot.gateway.auth import seed_agent  # (with the web stack: after the store answered)

    db = open_store(settings.database_url)
    try:
        upgrade_head(db.engine)
        db.run_sync(lambda session: seed_agent(session, settings.demo_agent_email,
                                               settings.demo_agent_name,
                                               settings.demo_agent_password))
        lead_password = settings.demo_lead_password
        if lead_password is not None:
            db.run_sync(lambda session: seed_agent(session, settings.demo_lead_email,
                                                   settings.demo_lead_name, lead_password,
                                                   ROLE_LEAD))
    except (CommandError, OperationalError) as exc:  # an unknown revision, read-only, locked...
        raise store_problem(settings.database_url, exc, "can't be migrated", WRITABLE) from exc
    finally:
        db.dispose()


def clear_demo_conversations(database_url: str) -> int:
    """A fresh conversation store for the demo (`make run`, `make reset-demo`): migrated, every
    conversation gone, the agents kept. How many conversations were cleared."""
    db = open_store(database_url)
    try:
        upgrade_head(db.engine)
        return db.run_sync(store.clear_all)
    except (CommandError, OperationalError) as exc:
        raise store_problem(database_url, exc, "can't be cleared", WRITABLE) from exc
    finally:
        db.dispose()


def main() -> int:
    try:
        settings = load_gateway_settings()
        platform = load_platform_settings()
    except SettingsError as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry URLs with tokens
    warn_retired_settings()
    try:
        prepare_store(settings)
    except StoreUnavailable as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 2
    logging.getLogger("bot.gateway").info("store ready; serving on %s:%s", settings.host,
                                          settings.port)
    import uvicorn  # the web stack loads after the checks: a bad setting is said at once

    from bot.gateway.app import create_app

    # The access log is off: it prints query strings (the event stream's conversation key).
    # X-Forwarded-For is believed from GATEWAY_TRUSTED_PROXIES only: the per-IP limits count
    # the address it names.
    config = uvicorn.Config(create_app(settings, platform), host=settings.host,
                            port=settings.port, access_log=False, log_level="info",
                            timeout_graceful_shutdown=5, proxy_headers=True,
                            forwarded_allow_ips=settings.trusted_proxies)
    uvicorn.Server(config).run(sockets=[shared_socket(settings)] if settings.reuse_port else None)
    return 0


def shared_socket(settings: GatewaySettings) -> socket.socket:
    """GATEWAY_REUSE_PORT=1: a listening socket other workers can bind too (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((settings.host, settings.port))
    return sock


if __name__ == "__main__":
    sys.exit(main())

"""Serve the gateway: `python -m bot.gateway`.

Reads its settings with `bot.config.load_gateway_settings()` (GATEWAY_*, RASA_URL, RASA_TOKEN,
WIDGET_TOKEN_SECRET, DEMO_AGENT_*, SUPPORT_*; see .env.example), brings the conversation store
to the newest schema (Alembic `upgrade head`), creates or updates the demo agent, then serves
the widget API, the console (/console) and the widget's files on GATEWAY_HOST:GATEWAY_PORT.
"""
from __future__ import annotations

import logging
import sys

import uvicorn

from bot.config import GatewaySettings, SettingsError, load_gateway_settings
from bot.gateway.app import create_app
from bot.gateway.auth import seed_agent
from bot.store.db import Database
from bot.store.migrate import upgrade_head

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def prepare_store(settings: GatewaySettings) -> None:
    """Migrate the store and seed the demo agent (password from the settings, hashed)."""
    db = Database.from_url(settings.database_url)
    try:
        upgrade_head(db.engine)
        db.run_sync(lambda session: seed_agent(session, settings.demo_agent_email,
                                               settings.demo_agent_name,
                                               settings.demo_agent_password))
    finally:
        db.dispose()


def main() -> int:
    try:
        settings = load_gateway_settings()
    except SettingsError as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry URLs with tokens
    prepare_store(settings)
    logging.getLogger("bot.gateway").info("store ready; serving on %s:%s", settings.host,
                                          settings.port)
    # The access log is off: it prints query strings (the event stream's conversation key).
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False,
                log_level="info", timeout_graceful_shutdown=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())

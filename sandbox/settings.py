"""The sandbox's settings, read from the environment once at start.

The sandbox stands in for another company's system, so it imports nothing of ours: these few
lines are its own. Variables: SANDBOX_DATABASE_URL, PLATFORM_API_KEY (the key callers must send),
SANDBOX_HOST, SANDBOX_PORT, and for the demo dashboard's widget GATEWAY_PUBLIC_URL (GATEWAY_PORT)
and WIDGET_TOKEN_SECRET; for its "Link Slack or Telegram" instructions TELEGRAM_BOT_USERNAME
(optional). A placeholder key or a malformed value raises `SettingsError` with a
sentence naming the variable (a database URL is never echoed: it may hold a password).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "xxx"})
DEV_API_KEY = "dev-sandbox-key"  # the local demo's key; the real platform has its own
DEFAULT_DATABASE_URL = "sqlite:///var/sandbox.db"
DATABASE_URL_EXAMPLE = ("sqlite:///var/sandbox.db or "
                        "postgresql+psycopg://user:password@host:5432/database")


class SettingsError(RuntimeError):
    """A setting is missing or unusable; the message names the fix."""


@dataclass(frozen=True)
class SandboxSettings:
    database_url: str
    api_key: str
    host: str
    port: int
    # The demo dashboard's widget: where browsers reach the gateway, and the secret its identity
    # tokens are signed with (None: unset, so the signed-in demo dashboards say how to fix it).
    gateway_public_url: str = "http://127.0.0.1:8080"
    widget_token_secret: str | None = None
    # The Telegram bot's username, for the dashboard's deep link t.me/<bot>?start=<code> (None:
    # the dashboard shows only the `link <code>` instructions).
    telegram_bot_username: str | None = None

    def __repr__(self) -> str:  # never the secrets
        return f"SandboxSettings(host={self.host!r}, port={self.port})"


def _secret(env: Mapping[str, str], name: str, default: str = "") -> str:
    value = env.get(name, default).strip()
    if value.lower() in PLACEHOLDER_SECRETS:
        raise SettingsError(f"{name} is not set (or still a placeholder). Set it in your "
                            "environment or in .env; see .env.example.")
    return value


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, str(default)).strip()
    if not raw.isdigit():
        raise SettingsError(f"{name} must be a whole number, got {raw!r}.")
    if not 1 <= int(raw) <= 65535:
        raise SettingsError(f"{name} must be a port number from 1 to 65535, got {raw}.")
    return int(raw)


def _database_url(env: Mapping[str, str], name: str, default: str) -> str:
    """A SQLAlchemy database URL whose driver is installed; whether it answers is checked at
    start (`python -m sandbox`)."""
    value = env.get(name, default).strip()
    try:
        url = make_url(value)
    except (ArgumentError, ValueError) as exc:
        raise SettingsError(f"{name} is not a database URL; use one like "
                            f"{DATABASE_URL_EXAMPLE}.") from exc
    try:
        url.get_dialect().import_dbapi()
    except (NoSuchModuleError, ImportError) as exc:
        raise SettingsError(f"{name} names a database driver that isn't available here "
                            f"({url.drivername!r}); use one like {DATABASE_URL_EXAMPLE}.") from exc
    return value


def _web_url(env: Mapping[str, str], name: str, default: str) -> str:
    """An http(s) URL with a host, without its trailing slash."""
    value = env.get(name, default).strip().rstrip("/")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that isn't a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{name} must be an http:// or https:// URL like "
                            f"http://127.0.0.1:8080, got {value!r}.")
    return value


def _telegram_username(env: Mapping[str, str], name: str) -> str | None:
    """A Telegram bot username (5–32 letters, digits, underscores; a leading @ is dropped)."""
    value = env.get(name, "").strip().removeprefix("@")
    if not value:
        return None
    if not (5 <= len(value) <= 32 and value.replace("_", "").isalnum() and value.isascii()):
        raise SettingsError(f"{name} must be a Telegram bot username like WellbeingHubBot "
                            f"(5–32 letters, digits or underscores), got {value!r}.")
    return value


def load_sandbox_settings(env: Mapping[str, str] | None = None) -> SandboxSettings:
    env = dict(os.environ if env is None else env)
    gateway_port = _port(env, "GATEWAY_PORT", 8080)
    return SandboxSettings(
        database_url=_database_url(env, "SANDBOX_DATABASE_URL", DEFAULT_DATABASE_URL),
        api_key=_secret(env, "PLATFORM_API_KEY", DEV_API_KEY),
        host=env.get("SANDBOX_HOST", "127.0.0.1").strip(),
        port=_port(env, "SANDBOX_PORT", 8000),
        gateway_public_url=_web_url(env, "GATEWAY_PUBLIC_URL", f"http://127.0.0.1:{gateway_port}"),
        widget_token_secret=(_secret(env, "WIDGET_TOKEN_SECRET")
                             if env.get("WIDGET_TOKEN_SECRET", "").strip() else None),
        telegram_bot_username=_telegram_username(env, "TELEGRAM_BOT_USERNAME"),
    )

"""Every setting of ours outside the sandbox and the action server, read from the environment here.

Nothing is read at import time: a process calls its loader once at start and passes the settings
object on. `.env.example` documents every variable; `make run` loads `.env` if present. The shared
readers and the team's hours come from the leaf package `envsettings`; the platform client's
settings from `platform_api`. A missing, placeholder or malformed value raises `SettingsError`
with a sentence that names the variable and the fix.

- `load_gateway_settings(env)`: the gateway (`python -m bot.gateway`).
- `load_platform_settings(env)`: how the gateway reaches the platform API (its context panel).
- `load_store_url(env)`: the conversation store's URL alone (what the migrations need; no secret).
- `load_run_settings(env)` / `load_ports(env)`: the local run (`python -m bot.cli`): each process's
  port, the secrets the processes share (Rasa's API secret, the REST channel's secret, the action
  server's token), where the actions find the platform.
- `load_privacy_settings(env)`: Rasa's tracker store (erasure), retention, where reviewed
  examples are exported (the gateway, `make prune`, `make export-training`).
- `load_chat_settings(env)`: `python -m bot.cli chat`: where the gateway is, and the secret it
  signs a demo client's identity token with.
- `retired_settings(env)` / `warn_retired_settings(env)`: settings still set that no longer do
  anything (SUPPORT_HOURS), said once at start.
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from envsettings import (
    Env,
    SettingsError,
    number,
    port,
    positive,
    positive_whole_number,
    secret,
    text,
    url,
)
from envsettings.safety_contacts import SafetyContacts, load_safety_contacts
from envsettings.support_hours import SupportHours, describe, load_support_hours
from platform_api import PlatformClientSettings, load_platform_client_settings

__all__ = [
    "PASSWORD_MIN_LENGTH",
    "SECRET_MIN_LENGTH",
    "ChatSettings",
    "GatewaySettings",
    "Ports",
    "ProductionSettings",
    "RunSettings",
    "SettingsError",
    "SlackSettings",
    "TelegramSettings",
    "load_chat_settings",
    "load_gateway_settings",
    "load_platform_settings",
    "load_ports",
    "load_production_settings",
    "load_run_settings",
    "load_slack_settings",
    "load_store_url",
    "load_telegram_settings",
    "retired_settings",
    "warn_retired_settings",
]

DEFAULT_STORE_URL = "sqlite:///var/gateway.db"
# HS256 keys and shared secrets: at least 256 bits (RFC 7518 §3.2); 32 random URL-safe characters
# carry 192, 43 (what scripts/init_env.py makes) 256. The demo agent's password: 12 characters.
SECRET_MIN_LENGTH = 32
PASSWORD_MIN_LENGTH = 12
STORE_URL_EXAMPLE = ("sqlite:///var/gateway.db or "
                     "postgresql+psycopg://user:password@host:5432/database")


def _environ(env: Env | None) -> dict[str, str]:
    return dict(os.environ if env is None else env)


# --- the gateway --------------------------------------------------------------------------------

@dataclass(frozen=True)
class GatewaySettings:
    """The front door: widget and console API, conversation store, routing to Rasa."""

    database_url: str
    host: str
    port: int
    public_url: str
    rasa_url: str
    rasa_token: str
    widget_token_secret: str
    allowed_origins: tuple[str, ...]
    demo_agent_email: str
    demo_agent_password: str
    demo_agent_name: str
    rasa_timeout: float
    rasa_tracker_wait: float
    support_hours: SupportHours
    console_session_hours: float
    safety_contacts: SafetyContacts  # the gateway's own safety reply (EMERGENCY_NUMBER, HELPLINES)
    # The REST channel's shared secret: only the gateway may send Rasa messages.
    rasa_webhook_secret: str
    # A widget conversation key stops working after this many hours without use; a signed-in
    # conversation also needs a fresh identity token at least this often.
    widget_key_idle_hours: float
    # Writes to the widget API (conversation starts, messages) per minute from one IP address,
    # and messages per minute in one conversation.
    widget_limit_per_ip: int
    widget_limit_per_conversation: int
    # Proxies whose X-Forwarded-For is believed (the client address the limits count by).
    trusted_proxies: str
    # Scale (production profile): every Rasa replica (RASA_URL may list several, comma-separated;
    # `rasa_url` is the first), and the Redis that shares live events and limits between gateway
    # workers (GATEWAY_REDIS_URL; None: in this process only).
    rasa_urls: tuple[str, ...] = ()
    redis_url: str | None = None
    # GATEWAY_REUSE_PORT=1: several workers listen on the same port (SO_REUSEPORT; the kernel
    # spreads the connections).
    reuse_port: bool = False
    # The Slack channel (README "Slack"); None: off.
    slack: SlackSettings | None = None
    # The Telegram channel (TELEGRAM_*); None: no bot token, the channel is off.
    telegram: TelegramSettings | None = None
    # Erasure, retention and the review queue's export (README "Privacy").
    privacy: PrivacySettings | None = None
    # The demo lead (an agent with the `lead` role: the team's report), with the demo agent's
    # password (DEMO_LEAD_EMAIL, DEMO_LEAD_NAME).
    demo_lead_email: str = "lead@support.example"
    demo_lead_name: str = "Lee"
    # Its own password (DEMO_LEAD_PASSWORD); unset: no demo lead is seeded.
    demo_lead_password: str | None = None
    # The team's report: an answer counts as resolving the conversation once this many minutes
    # went by without a message from the client or a handoff (INSIGHTS_RESOLUTION_MINUTES).
    insights_resolution_minutes: int = 30

    def __repr__(self) -> str:  # never the secrets
        return f"GatewaySettings(host={self.host!r}, port={self.port})"


def load_gateway_settings(env: Env | None = None) -> GatewaySettings:
    env = _environ(env)
    gateway_port = port(env, "GATEWAY_PORT", 8080)
    origins = text(env, "WIDGET_ALLOWED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")
    return GatewaySettings(
        database_url=load_store_url(env),
        host=text(env, "GATEWAY_HOST", "127.0.0.1"),
        port=gateway_port,
        public_url=url(env, "GATEWAY_PUBLIC_URL", f"http://127.0.0.1:{gateway_port}"),
        rasa_url=load_rasa_urls(env)[0],
        rasa_urls=load_rasa_urls(env),
        redis_url=load_redis_url(env),
        reuse_port=text(env, "GATEWAY_REUSE_PORT", "0").strip() == "1",
        rasa_token=secret(env, "RASA_TOKEN", min_length=SECRET_MIN_LENGTH),
        widget_token_secret=secret(env, "WIDGET_TOKEN_SECRET", min_length=SECRET_MIN_LENGTH),
        allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        demo_agent_email=text(env, "DEMO_AGENT_EMAIL", "agent@support.example"),
        demo_agent_password=secret(env, "DEMO_AGENT_PASSWORD", min_length=PASSWORD_MIN_LENGTH),
        demo_agent_name=text(env, "DEMO_AGENT_NAME", "Sam"),
        rasa_timeout=number(env, "RASA_TIMEOUT", 20.0),
        rasa_tracker_wait=_not_negative(env, "RASA_TRACKER_WAIT", 10.0),
        support_hours=load_support_hours(env),
        console_session_hours=positive(env, "CONSOLE_SESSION_HOURS", 12.0, "hours"),
        rasa_webhook_secret=secret(env, "RASA_WEBHOOK_SECRET", min_length=SECRET_MIN_LENGTH),
        widget_key_idle_hours=positive(env, "WIDGET_KEY_IDLE_HOURS", 24.0, "hours"),
        widget_limit_per_ip=positive_whole_number(env, "WIDGET_LIMIT_PER_IP", 60,
                                                  "requests per minute"),
        widget_limit_per_conversation=positive_whole_number(
            env, "WIDGET_LIMIT_PER_CONVERSATION", 20, "messages per minute"),
        trusted_proxies=text(env, "GATEWAY_TRUSTED_PROXIES", "127.0.0.1"),
        safety_contacts=load_safety_contacts(env),
        slack=load_slack_settings(env),
        telegram=load_telegram_settings(env),
        privacy=load_privacy_settings(env),
        demo_lead_email=text(env, "DEMO_LEAD_EMAIL", "lead@support.example"),
        demo_lead_name=text(env, "DEMO_LEAD_NAME", "Lee"),
        demo_lead_password=(secret(env, "DEMO_LEAD_PASSWORD", min_length=PASSWORD_MIN_LENGTH)
                            if text(env, "DEMO_LEAD_PASSWORD", "").strip() else None),
        insights_resolution_minutes=positive_whole_number(
            env, "INSIGHTS_RESOLUTION_MINUTES", 30, "minutes"),
    )


# --- privacy: erasure, retention, the review queue's export (README "Privacy") -----------------

DEFAULT_TRACKER_STORE_URL = "sqlite:///var/rasa-tracker.db"  # endpoints.yml's, for `make run`


@dataclass(frozen=True)
class PrivacySettings:
    """Where Rasa keeps its trackers (erased with a conversation: RASA_TRACKER_STORE_URL), how
    many months a conversation is kept after its last message (RETENTION_MONTHS; 0: for ever),
    and the folder reviewed examples are exported to (REVIEW_EXPORT_DIR)."""

    rasa_tracker_store_url: str
    retention_months: int
    review_export_dir: str

    def __repr__(self) -> str:  # the URL may hold a password
        return f"PrivacySettings(retention_months={self.retention_months})"


def load_privacy_settings(env: Env | None = None) -> PrivacySettings:
    env = _environ(env)
    months = text(env, "RETENTION_MONTHS", "12").strip()
    if not months.isdigit():
        raise SettingsError("RETENTION_MONTHS must be a whole number of months (0: keep "
                            "conversations for ever), e.g. RETENTION_MONTHS=12.")
    return PrivacySettings(
        rasa_tracker_store_url=text(env, "RASA_TRACKER_STORE_URL", DEFAULT_TRACKER_STORE_URL),
        retention_months=int(months),
        review_export_dir=text(env, "REVIEW_EXPORT_DIR", "data/nlu"),
    )


# --- Slack (README "Slack") -------------------------------------------------------------------

SLACK_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class SlackSettings:
    """The Slack app: HTTP mode (events at POST /slack/events, signed with the signing secret), or
    Socket Mode when an app-level token is set."""

    bot_token: str               # SLACK_BOT_TOKEN, xoxb-...
    signing_secret: str | None   # SLACK_SIGNING_SECRET: checks every request in HTTP mode
    app_token: str | None        # SLACK_APP_TOKEN, xapp-...: Socket Mode
    api_url: str                 # SLACK_API_URL: Slack's Web API (another server in tests)

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    def __repr__(self) -> str:  # never the tokens
        return f"SlackSettings(socket_mode={self.socket_mode}, api_url={self.api_url!r})"


def load_slack_settings(env: Env | None = None) -> SlackSettings | None:
    """Slack's settings, or None (the channel off) without SLACK_BOT_TOKEN."""
    env = _environ(env)
    bot_token = text(env, "SLACK_BOT_TOKEN", "")
    if not bot_token:
        return None
    if not bot_token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must be the app's Bot User OAuth Token (it begins "
                            "with xoxb-; Slack app settings, OAuth & Permissions).")
    app_token = text(env, "SLACK_APP_TOKEN", "") or None
    if app_token is not None and not app_token.startswith("xapp-"):
        raise SettingsError("SLACK_APP_TOKEN must be an app-level token (it begins with xapp-; "
                            "Slack app settings, Basic Information, App-Level Tokens), or empty "
                            "for HTTP mode.")
    signing_secret = text(env, "SLACK_SIGNING_SECRET", "") or None
    if signing_secret is None and app_token is None:
        raise SettingsError("SLACK_SIGNING_SECRET is not set: with SLACK_BOT_TOKEN, set the app's "
                            "signing secret (Slack app settings, Basic Information) for events "
                            "over HTTP, or SLACK_APP_TOKEN for Socket Mode; see README \"Slack\".")
    api_url = url(env, "SLACK_API_URL", SLACK_API_URL) + "/"
    return SlackSettings(bot_token, signing_secret, app_token, api_url)


def _not_negative(env: Env, name: str, default: float) -> float:
    value = number(env, name, default)
    if value < 0:
        raise SettingsError(f"{name} must be 0 or more seconds, got {value:g}.")
    return value


def load_rasa_urls(env: Env) -> tuple[str, ...]:
    """RASA_URL: one Rasa server, or its replicas separated by commas (each conversation sticks
    to one of them: bot/core/rasa_replicas.py)."""
    listed = [part.strip() for part in text(env, "RASA_URL", "").split(",") if part.strip()]
    if not listed:
        return (url(env, "RASA_URL", "http://127.0.0.1:5005"),)
    return tuple(url({"RASA_URL": part}, "RASA_URL", part) for part in listed)


def load_redis_url(env: Env, name: str = "GATEWAY_REDIS_URL") -> str | None:
    """GATEWAY_REDIS_URL (redis://host:6379/0): live events, login throttle and widget limits
    shared by every gateway worker; unset: kept in the process (one worker)."""
    value = text(env, name, "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise SettingsError(f"{name} is not a Redis URL; use one like redis://127.0.0.1:6379/0.")
    return value


# --- Telegram (bot/channels/telegram.py) ----------------------------------------------------------

TELEGRAM_MODES = ("polling", "webhook")
TELEGRAM_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
# Telegram's secret_token: 1-256 characters of A-Z a-z 0-9 _ -.
TELEGRAM_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,256}")


@dataclass(frozen=True)
class TelegramSettings:
    """The Telegram bot: its token, how updates arrive, and where the Bot API is."""

    bot_token: str
    mode: str  # "polling" (getUpdates, local use) or "webhook" (POST /telegram/webhook)
    webhook_secret: str | None  # webhook mode: Telegram's X-Telegram-Bot-Api-Secret-Token
    api_url: str  # the Bot API server (Telegram's, a self-hosted one, or a test's fake)

    def __repr__(self) -> str:  # never the token or the secret
        return f"TelegramSettings(mode={self.mode!r}, api_url={self.api_url!r})"


def load_telegram_settings(env: Env | None = None) -> TelegramSettings | None:
    """None without TELEGRAM_BOT_TOKEN (the channel is off); else checked settings."""
    env = _environ(env)
    token = text(env, "TELEGRAM_BOT_TOKEN", "")
    if not token:
        return None
    if not TELEGRAM_TOKEN_SHAPE.fullmatch(token):
        raise SettingsError("TELEGRAM_BOT_TOKEN doesn't look like a bot token (digits, a colon, "
                            "then 30 or more letters, digits, _ or -): copy it from BotFather, or "
                            "leave it empty to keep Telegram off; see .env.example.")
    mode = text(env, "TELEGRAM_MODE", "polling").lower()
    if mode not in TELEGRAM_MODES:
        raise SettingsError(f"TELEGRAM_MODE must be polling or webhook, got {mode!r}.")
    webhook_secret = None
    if mode == "webhook":
        webhook_secret = secret(env, "TELEGRAM_WEBHOOK_SECRET", min_length=SECRET_MIN_LENGTH)
        if not TELEGRAM_SECRET_SHAPE.fullmatch(webhook_secret):
            raise SettingsError("TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - "
                                "(at most 256 characters), as Telegram requires; see "
                                ".env.example.")
    return TelegramSettings(bot_token=token, mode=mode, webhook_secret=webhook_secret,
                            api_url=url(env, "TELEGRAM_API_URL", "https://api.telegram.org"))


def load_platform_settings(env: Env | None = None) -> PlatformClientSettings:
    """Where the gateway finds the platform API (PLATFORM_API_URL, PLATFORM_API_KEY, ...)."""
    return load_platform_client_settings(_environ(env))


def load_store_url(env: Env) -> str:
    """The conversation store's database URL alone: what migrations need, and no secret.

    Checked for shape and for an installed driver, never echoed whole (it may hold a password).
    Whether the database answers is for the process that opens it to say.
    """
    from sqlalchemy import make_url  # here, not at import: `bot.cli chat` never needs it
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    value = text(env, "GATEWAY_DATABASE_URL", DEFAULT_STORE_URL)
    try:
        parsed = make_url(value)
    except (ArgumentError, ValueError) as exc:
        raise SettingsError(f"GATEWAY_DATABASE_URL is not a database URL; use one like "
                            f"{STORE_URL_EXAMPLE}.") from exc
    try:
        parsed.get_dialect().import_dbapi()
    except (NoSuchModuleError, ImportError) as exc:
        raise SettingsError(f"GATEWAY_DATABASE_URL names a database driver that isn't available "
                            f"here ({parsed.drivername!r}); use one like "
                            f"{STORE_URL_EXAMPLE}.") from exc
    return value


# --- the local run (`python -m bot.cli`) ----------------------------------------------------------

@dataclass(frozen=True)
class Ports:
    """Where each process listens, all on loopback."""

    rasa: int = 5005
    actions: int = 5055
    sandbox: int = 8000
    gateway: int = 8080


@dataclass(frozen=True)
class RunSettings:
    """What `python -m bot.cli run` needs to start every process.

    Each secret the processes share is None when unset: `run` then makes a random one per run.
    """

    ports: Ports
    rasa_token: str | None  # RASA_TOKEN: the key of the JWTs Rasa's HTTP API accepts
    platform_api_url: str  # where the action server and the gateway find the platform API
    rasa_webhook_secret: str | None  # RASA_WEBHOOK_SECRET: gateway -> REST channel
    action_server_token: str | None  # ACTION_SERVER_TOKEN: Rasa -> action server

    def __repr__(self) -> str:  # never the secrets
        return f"RunSettings(ports={self.ports!r}, platform_api_url={self.platform_api_url!r})"


def load_ports(env: Env | None = None) -> Ports:
    env = _environ(env)
    return Ports(
        rasa=port(env, "RASA_PORT", 5005),
        actions=port(env, "ACTIONS_PORT", 5055),
        sandbox=port(env, "SANDBOX_PORT", 8000),
        gateway=port(env, "GATEWAY_PORT", 8080),
    )


def load_run_settings(env: Env | None = None) -> RunSettings:
    env = _environ(env)
    ports = load_ports(env)
    return RunSettings(
        ports=ports,
        rasa_token=_optional_secret(env, "RASA_TOKEN"),
        platform_api_url=url(env, "PLATFORM_API_URL", f"http://127.0.0.1:{ports.sandbox}"),
        rasa_webhook_secret=_optional_secret(env, "RASA_WEBHOOK_SECRET"),
        action_server_token=_optional_secret(env, "ACTION_SERVER_TOKEN"),
    )


def _optional_secret(env: Env, name: str) -> str | None:
    """A shared secret if set (checked like any secret), None if unset."""
    if not text(env, name, ""):
        return None
    return secret(env, name, min_length=SECRET_MIN_LENGTH)


# --- the production profile (`python -m bot.cli run --prod`, `make run-prod`) -------------------

DEFAULT_PROD_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_PROD_REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class ProductionSettings:
    """Where `run --prod` keeps everything: one PostgreSQL database (a schema per store: the
    gateway's, the sandbox's, Rasa's trackers) and one Redis (Rasa's locks, the gateway workers'
    live events and limits)."""

    postgres_url: str
    redis_url: str

    def __repr__(self) -> str:  # the URLs may hold passwords
        return "ProductionSettings(...)"


def load_production_settings(env: Env | None = None) -> ProductionSettings:
    env = _environ(env)
    postgres = text(env, "PROD_POSTGRES_URL", DEFAULT_PROD_POSTGRES_URL)
    if not postgres.startswith("postgresql"):
        raise SettingsError("PROD_POSTGRES_URL must be a PostgreSQL URL like "
                            "postgresql+psycopg://user:password@127.0.0.1:5432/database.")
    load_store_url({"GATEWAY_DATABASE_URL": postgres})  # its shape and driver
    redis = load_redis_url({**env, "PROD_REDIS_URL": text(env, "PROD_REDIS_URL",
                                                          DEFAULT_PROD_REDIS_URL)},
                           "PROD_REDIS_URL")
    return ProductionSettings(postgres_url=postgres, redis_url=redis or DEFAULT_PROD_REDIS_URL)


# --- the terminal chat (`python -m bot.cli chat`) -------------------------------------------------

@dataclass(frozen=True)
class ChatSettings:
    """Where the terminal chat finds the gateway, and how it signs a demo client in."""

    gateway_url: str
    widget_token_secret: str | None  # None: only a signed-out chat is possible

    def __repr__(self) -> str:  # never the secret
        return f"ChatSettings(gateway_url={self.gateway_url!r})"


def load_chat_settings(env: Env | None = None, signed_in: bool = True) -> ChatSettings:
    """The gateway on this machine (the ports of the run); WIDGET_TOKEN_SECRET when `signed_in`."""
    env = _environ(env)
    ports = load_ports(env)
    return ChatSettings(
        gateway_url=f"http://127.0.0.1:{ports.gateway}",
        widget_token_secret=(secret(env, "WIDGET_TOKEN_SECRET", min_length=SECRET_MIN_LENGTH)
                             if signed_in else None),
    )


# --- settings that no longer do anything --------------------------------------------------------

RETIRED_SETTINGS = ("SUPPORT_HOURS",)


def retired_settings(env: Env | None = None) -> list[str]:
    """A sentence for each retired setting still set: it is ignored, and what replaced it."""
    env = _environ(env)
    if "SUPPORT_HOURS" not in env:
        return []
    try:
        told = describe(load_support_hours(env)) or "never (SUPPORT_DAYS is empty)"
        now = f"; now {told}"
    except SettingsError:  # the process that enforces the hours says what is wrong with them
        now = ""
    support_hours = (
        "SUPPORT_HOURS is no longer used and is ignored: users are told the hours the team chats "
        f"live, set with SUPPORT_OPEN_HOUR, SUPPORT_CLOSE_HOUR and SUPPORT_DAYS in UTC{now}. "
        "Remove SUPPORT_HOURS from your environment or .env; see .env.example.")
    return [support_hours]


def warn_retired_settings(env: Env | None = None) -> None:
    """Logs one warning line per retired setting still set; a process calls it once at start."""
    for message in retired_settings(env):
        logging.getLogger(__name__).warning("%s", message)

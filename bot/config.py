"""Every setting of every process of ours, read from the environment in this one module.

Nothing is read at import time: each process calls the loader it needs once at start and passes
the settings object on. `.env.example` documents every variable; `make run` loads `.env` if present.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "xxx"}


class SettingsError(RuntimeError):
    """A setting is missing or unusable; the message names the fix."""


def _get(env: dict[str, str], name: str, default: str) -> str:
    return env.get(name, default).strip()


def _secret(env: dict[str, str], name: str, default: str | None = None) -> str:
    value = env.get(name, default if default is not None else "").strip()
    if value.lower() in PLACEHOLDER_SECRETS:
        raise SettingsError(
            f"{name} is not set (or still a placeholder). Set it in your environment or in .env; "
            "see .env.example."
        )
    return value


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = _get(env, name, str(default))
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}.") from exc


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = _get(env, name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}.") from exc


# The demo key is the development default so that `make run` works on a fresh clone; it only ever
# guards the local sandbox. A real deployment sets PLATFORM_API_KEY to the platform's key.
DEV_PLATFORM_API_KEY = "dev-sandbox-key"


@dataclass(frozen=True)
class SandboxSettings:
    """The platform API stand-in."""

    database_url: str
    api_key: str
    host: str
    port: int
    # The demo dashboard's widget: where browsers reach the gateway, and the secret its identity
    # tokens are signed with (None: unset, so the signed-in demo dashboards say how to fix it).
    gateway_public_url: str = "http://127.0.0.1:8080"
    widget_token_secret: str | None = None


@dataclass(frozen=True)
class PlatformClientSettings:
    """How the action server reaches the platform API."""

    base_url: str
    api_key: str
    connect_timeout: float
    read_timeout: float
    read_retries: int


@dataclass(frozen=True)
class SupportSettings:
    """What the assistant tells people about the Customer Success team and emergencies."""

    email: str
    hours: str
    emergency_number: str
    helplines: str
    sign_in_url: str


def load_sandbox_settings(env: dict[str, str] | None = None) -> SandboxSettings:
    env = dict(os.environ if env is None else env)
    return SandboxSettings(
        database_url=_get(env, "SANDBOX_DATABASE_URL", "sqlite:///var/sandbox.db"),
        api_key=_secret(env, "PLATFORM_API_KEY", DEV_PLATFORM_API_KEY),
        host=_get(env, "SANDBOX_HOST", "127.0.0.1"),
        port=_int(env, "SANDBOX_PORT", 8000),
        gateway_public_url=_get(
            env, "GATEWAY_PUBLIC_URL", f"http://127.0.0.1:{_int(env, 'GATEWAY_PORT', 8080)}"
        ).rstrip("/"),
        widget_token_secret=(
            load_widget_token_secret(env) if _get(env, "WIDGET_TOKEN_SECRET", "") else None
        ),
    )


def load_platform_client_settings(env: dict[str, str] | None = None) -> PlatformClientSettings:
    env = dict(os.environ if env is None else env)
    return PlatformClientSettings(
        base_url=_get(env, "PLATFORM_API_URL", "http://127.0.0.1:8000").rstrip("/"),
        api_key=_secret(env, "PLATFORM_API_KEY", DEV_PLATFORM_API_KEY),
        connect_timeout=_float(env, "PLATFORM_CONNECT_TIMEOUT", 2.0),
        read_timeout=_float(env, "PLATFORM_READ_TIMEOUT", 4.0),
        read_retries=_int(env, "PLATFORM_READ_RETRIES", 1),
    )


def load_support_settings(env: dict[str, str] | None = None) -> SupportSettings:
    env = dict(os.environ if env is None else env)
    return SupportSettings(
        email=_get(env, "SUPPORT_EMAIL", "support@wellbeinghub.example"),
        hours=_get(env, "SUPPORT_HOURS", "Monday to Friday, 09:00–17:00 (GMT)"),
        emergency_number=_get(env, "EMERGENCY_NUMBER", "112"),
        helplines=_get(env, "HELPLINES", "Red Cross helpline 1717 (Iceland); Samaritans 116 123 (UK)"),
        sign_in_url=_get(env, "SIGN_IN_URL", "http://127.0.0.1:8000/"),
    )


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class SupportHours:
    """When the Customer Success team answers live, in UTC: days (0 = Monday) and [open, close)."""

    open_hour: int
    close_hour: int
    days: tuple[int, ...]


def _support_hours(env: dict[str, str]) -> SupportHours:
    open_hour = _int(env, "SUPPORT_OPEN_HOUR", 9)
    close_hour = _int(env, "SUPPORT_CLOSE_HOUR", 17)
    if not 0 <= open_hour < close_hour <= 24:
        raise SettingsError(
            f"SUPPORT_OPEN_HOUR and SUPPORT_CLOSE_HOUR must satisfy 0 <= open < close <= 24 "
            f"(hours in UTC), got {open_hour} and {close_hour}.")
    raw_days = _get(env, "SUPPORT_DAYS", "mon,tue,wed,thu,fri")
    names = [day.strip().lower()[:3] for day in raw_days.split(",")]
    unknown = [day for day in names if day and day not in WEEKDAYS]
    if unknown:
        raise SettingsError(f"SUPPORT_DAYS must be weekday names like mon,tue,wed (or empty: "
                            f"never open), got {raw_days!r}.")
    days = tuple(sorted({WEEKDAYS.index(d) for d in names if d}))
    return SupportHours(open_hour=open_hour, close_hour=close_hour, days=days)


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
    support_hours: SupportHours
    console_session_hours: float


def load_gateway_settings(env: dict[str, str] | None = None) -> GatewaySettings:
    env = dict(os.environ if env is None else env)
    port = _int(env, "GATEWAY_PORT", 8080)
    origins = _get(env, "WIDGET_ALLOWED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")
    return GatewaySettings(
        database_url=_get(env, "GATEWAY_DATABASE_URL", "sqlite:///var/gateway.db"),
        host=_get(env, "GATEWAY_HOST", "127.0.0.1"),
        port=port,
        public_url=_get(env, "GATEWAY_PUBLIC_URL", f"http://127.0.0.1:{port}").rstrip("/"),
        rasa_url=_get(env, "RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=_secret(env, "RASA_TOKEN"),
        widget_token_secret=_secret(env, "WIDGET_TOKEN_SECRET"),
        allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        demo_agent_email=_get(env, "DEMO_AGENT_EMAIL", "agent@support.example"),
        demo_agent_password=_secret(env, "DEMO_AGENT_PASSWORD"),
        demo_agent_name=_get(env, "DEMO_AGENT_NAME", "Sam"),
        rasa_timeout=_float(env, "RASA_TIMEOUT", 20.0),
        support_hours=_support_hours(env),
        console_session_hours=_float(env, "CONSOLE_SESSION_HOURS", 12.0),
    )


def load_widget_token_secret(env: dict[str, str] | None = None) -> str:
    """The secret the platform (here: the sandbox's demo dashboard) signs identity tokens with."""
    env = dict(os.environ if env is None else env)
    return _secret(env, "WIDGET_TOKEN_SECRET")

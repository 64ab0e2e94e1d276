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

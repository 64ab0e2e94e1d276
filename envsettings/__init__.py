"""Reading settings from the environment: the typed readers every process of ours shares.

A leaf package: it imports nothing of ours. Each process reads its settings once at start (its own
`load_*_settings(env)`), built from these readers, and passes the object on; a missing, placeholder
or malformed value raises `SettingsError` with a sentence that names the fix.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from urllib.parse import urlsplit

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "xxx"})

Env = Mapping[str, str]


class SettingsError(RuntimeError):
    """A setting is missing or unusable; the message names the fix."""


def text(env: Env, name: str, default: str) -> str:
    return env.get(name, default).strip()


GENERATE_HINT = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


def secret(env: Env, name: str, default: str | None = None, min_length: int = 0) -> str:
    """A secret that must be set, must not be a placeholder such as `change-me`, and must have at
    least `min_length` characters."""
    value = env.get(name, default if default is not None else "").strip()
    if value.lower() in PLACEHOLDER_SECRETS:
        raise SettingsError(
            f"{name} is not set (or still a placeholder). Set it in your environment or in .env; "
            "see .env.example.")
    if len(value) < min_length:
        raise SettingsError(
            f"{name} is too short ({len(value)} characters; at least {min_length} are needed). "
            f"Set it to a long random value in your environment or in .env, e.g. the output of "
            f"{GENERATE_HINT}; see .env.example.")
    return value


def positive(env: Env, name: str, default: float, unit: str) -> float:
    """A number greater than zero (hours, seconds, a count per minute)."""
    raw = text(env, name, str(default))
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise SettingsError(f"{name} must be a number of {unit} greater than 0, got {raw!r}.")
    return value


def positive_whole_number(env: Env, name: str, default: int, unit: str) -> int:
    value = whole_number(env, name, default)
    if value < 1:
        raise SettingsError(f"{name} must be a whole number of {unit}, at least 1, got {value}.")
    return value


def number(env: Env, name: str, default: float) -> float:
    raw = text(env, name, str(default))
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}.") from exc


def whole_number(env: Env, name: str, default: int) -> int:
    raw = text(env, name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}.") from exc


def port(env: Env, name: str, default: int) -> int:
    """A TCP port: a whole number from 1 to 65535."""
    value = whole_number(env, name, default)
    if not 1 <= value <= 65535:
        raise SettingsError(f"{name} must be a port number from 1 to 65535, got {value}.")
    return value


def url(env: Env, name: str, default: str) -> str:
    """An http(s) URL with a host (and, if given, a numeric port), without its trailing slash."""
    value = text(env, name, default).rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must be an http:// or https:// URL, got {value!r}.")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that isn't a number
    except ValueError as exc:
        raise SettingsError(f"{name} must be a URL like http://127.0.0.1:8080, "
                            f"got {value!r}.") from exc
    if not parts.hostname:
        raise SettingsError(f"{name} must be a URL like http://127.0.0.1:8080 (with a host), "
                            f"got {value!r}.")
    return value

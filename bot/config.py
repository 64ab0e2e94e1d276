"""The gateway's settings and the local run's ports, read from the environment in this one module.

Nothing is read at import time: a process calls its loader once at start and passes the settings
object on. `.env.example` documents every variable; `make run` loads `.env` if present. The shared
readers and the team's hours come from the leaf package `envsettings`; the platform client's
settings from `platform_api`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from envsettings import Env, SettingsError, number, secret, text, whole_number
from envsettings.support_hours import SupportHours, load_support_hours

__all__ = ["GatewaySettings", "SettingsError", "load_gateway_settings"]


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

    def __repr__(self) -> str:  # never the secrets
        return f"GatewaySettings(host={self.host!r}, port={self.port})"


def load_gateway_settings(env: Env | None = None) -> GatewaySettings:
    env = dict(os.environ if env is None else env)
    port = whole_number(env, "GATEWAY_PORT", 8080)
    origins = text(env, "WIDGET_ALLOWED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")
    return GatewaySettings(
        database_url=load_store_url(env),
        host=text(env, "GATEWAY_HOST", "127.0.0.1"),
        port=port,
        public_url=text(env, "GATEWAY_PUBLIC_URL", f"http://127.0.0.1:{port}").rstrip("/"),
        rasa_url=text(env, "RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=secret(env, "RASA_TOKEN"),
        widget_token_secret=secret(env, "WIDGET_TOKEN_SECRET"),
        allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        demo_agent_email=text(env, "DEMO_AGENT_EMAIL", "agent@support.example"),
        demo_agent_password=secret(env, "DEMO_AGENT_PASSWORD"),
        demo_agent_name=text(env, "DEMO_AGENT_NAME", "Sam"),
        rasa_timeout=number(env, "RASA_TIMEOUT", 20.0),
        support_hours=load_support_hours(env),
        console_session_hours=number(env, "CONSOLE_SESSION_HOURS", 12.0),
    )


def load_store_url(env: Env) -> str:
    """The conversation store's database URL alone: what migrations need, and no secret."""
    return text(env, "GATEWAY_DATABASE_URL", "sqlite:///var/gateway.db")

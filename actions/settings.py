"""The action server's settings, read from the environment: the platform API and what the
assistant tells people (support e-mail and hours, emergency contacts, where to sign in).

The team's hours are the ones the gateway enforces (SUPPORT_OPEN_HOUR, SUPPORT_CLOSE_HOUR,
SUPPORT_DAYS, in UTC), described in words here, so what users are told never disagrees with when
a person can actually answer.
"""
from __future__ import annotations

from dataclasses import dataclass

from envsettings import Env, text, whole_number
from envsettings.support_hours import describe, load_support_hours
from platform_api import PlatformClientSettings, load_platform_client_settings


@dataclass(frozen=True)
class SupportSettings:
    """What the assistant tells people about the Customer Success team and emergencies."""

    email: str
    hours: str
    emergency_number: str
    helplines: str
    sign_in_url: str


def load_support_settings(env: Env) -> SupportSettings:
    hours = describe(load_support_hours(env))
    return SupportSettings(
        email=text(env, "SUPPORT_EMAIL", "support@wellbeinghub.example"),
        hours=hours or "by e-mail only (the team doesn't chat live)",
        emergency_number=text(env, "EMERGENCY_NUMBER", "112"),
        helplines=text(env, "HELPLINES",
                       "Red Cross helpline 1717 (Iceland); Samaritans 116 123 (UK)"),
        sign_in_url=text(env, "SIGN_IN_URL", "http://127.0.0.1:8000/"),
    )


@dataclass(frozen=True)
class ActionServerSettings:
    """Everything the action server needs, read once at its start."""

    port: int
    platform: PlatformClientSettings
    support: SupportSettings


def load_action_server_settings(env: Env) -> ActionServerSettings:
    return ActionServerSettings(
        port=whole_number(env, "ACTIONS_PORT", 5055),
        platform=load_platform_client_settings(env),
        support=load_support_settings(env),
    )

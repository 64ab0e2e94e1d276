"""The action server's settings, read once from the environment by `python -m actions`: where it
listens, the platform API, and what the assistant tells people (support e-mail and hours,
emergency contacts, where to sign in). A missing, placeholder or malformed value raises
`envsettings.SettingsError` with a sentence that names the fix.

The team's hours are the ones the gateway enforces (SUPPORT_OPEN_HOUR, SUPPORT_CLOSE_HOUR,
SUPPORT_DAYS, in UTC), told in words on the client's own clock, so what users are told never
disagrees with when
a person can actually answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo

from envsettings import Env, SettingsError, number, port, secret, text
from envsettings.safety_contacts import load_safety_contacts
from envsettings.support_hours import SupportHours, describe, load_support_hours
from platform_api import PlatformClientSettings, load_platform_client_settings


@dataclass(frozen=True)
class SupportSettings:
    """What the assistant tells people about the Customer Success team and emergencies."""

    email: str
    schedule: SupportHours  # in UTC, as the gateway enforces them; told with `hours_in(zone)`
    emergency_number: str
    helplines: str
    sign_in_url: str

    def hours_in(self, zone: tzinfo = UTC) -> str:
        """The team's hours on the client's clock, the zone named (`actions.common.client_zone`)."""
        return (describe(self.schedule, zone)
                or "by e-mail only (the team doesn't chat live)")


def load_support_settings(env: Env) -> SupportSettings:
    safety = load_safety_contacts(env)  # the same contacts the gateway's own safety reply gives
    return SupportSettings(
        email=text(env, "SUPPORT_EMAIL", "support@wellbeinghub.example"),
        schedule=load_support_hours(env),
        emergency_number=safety.emergency_number,
        helplines=safety.helplines,
        sign_in_url=text(env, "SIGN_IN_URL", "http://127.0.0.1:8000/"),
    )


@dataclass(frozen=True)
class ActionServerSettings:
    """Everything the action server needs, read once at its start."""

    host: str
    port: int
    # Seconds to wait at start for a platform that can't be reached yet (`make run` starts the
    # sandbox at the same time); after that the server starts anyway, with a warning.
    platform_wait: float
    platform: PlatformClientSettings
    support: SupportSettings
    # What Rasa must send (`Authorization: Bearer`): only Rasa may call the actions.
    token: str

    def __repr__(self) -> str:  # never the token
        return f"ActionServerSettings(host={self.host!r}, port={self.port})"


TOKEN_MIN_LENGTH = 32


def load_action_server_settings(env: Env) -> ActionServerSettings:
    return ActionServerSettings(
        # SANIC_HOST is rasa-sdk's own name for it; we listen on loopback unless it says otherwise.
        host=text(env, "SANIC_HOST", "127.0.0.1") or "127.0.0.1",
        port=port(env, "ACTIONS_PORT", 5055),
        platform_wait=_seconds(env, "PLATFORM_STARTUP_WAIT", 10.0),
        platform=load_platform_client_settings(env),
        support=load_support_settings(env),
        token=secret(env, "ACTION_SERVER_TOKEN", min_length=TOKEN_MIN_LENGTH),
    )


def _seconds(env: Env, name: str, default: float) -> float:
    value = number(env, name, default)
    if not 0 <= value <= 600:
        raise SettingsError(f"{name} must be a number of seconds from 0 to 600, got {value:g}.")
    return value

"""The team's hours (settings and arithmetic) and the gateway's settings checks."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.config import SettingsError, load_gateway_settings
from envsettings.support_hours import SupportHours, describe, is_open

SECRETS = {"RASA_TOKEN": "a-real-token-123", "WIDGET_TOKEN_SECRET": "a-real-secret-123",
           "DEMO_AGENT_PASSWORD": "a-real-password"}
WEEKDAYS_9_TO_17 = SupportHours(open_hour=9, close_hour=17, days=(0, 1, 2, 3, 4))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """2026-03-02 is a Monday."""
    return datetime(2026, 3, 2 + day, hour, minute, tzinfo=timezone.utc)


@pytest.mark.parametrize("moment, open_", [
    (at(0, 9), True), (at(0, 16, 59), True), (at(0, 17), False), (at(0, 8, 59), False),
    (at(4, 12), True), (at(5, 12), False), (at(6, 12), False),
])
def test_the_team_is_open_on_weekdays_from_opening_until_closing(moment, open_):
    assert is_open(WEEKDAYS_9_TO_17, moment) is open_


def test_hours_are_compared_in_utc():
    """09:30 in Paris (UTC+1 in March) is 08:30 UTC: not open yet."""
    paris = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert is_open(WEEKDAYS_9_TO_17, paris) is False


def test_hours_are_described_for_people():
    assert describe(WEEKDAYS_9_TO_17) == "Monday to Friday, 09:00–17:00 (UTC)"
    assert describe(SupportHours(0, 24, tuple(range(7)))) == "every day, 00:00–24:00 (UTC)"
    assert describe(SupportHours(10, 14, (0, 2))) == "Monday, Wednesday, 10:00–14:00 (UTC)"
    assert describe(SupportHours(9, 17, ())) is None


def test_the_default_hours_are_weekdays_nine_to_five_utc():
    settings = load_gateway_settings(SECRETS)
    assert settings.support_hours == WEEKDAYS_9_TO_17


@pytest.mark.parametrize("env, names", [
    ({"SUPPORT_OPEN_HOUR": "17", "SUPPORT_CLOSE_HOUR": "9"}, "SUPPORT_OPEN_HOUR"),
    ({"SUPPORT_CLOSE_HOUR": "25"}, "SUPPORT_CLOSE_HOUR"),
    ({"SUPPORT_OPEN_HOUR": "nine"}, "SUPPORT_OPEN_HOUR"),
    ({"SUPPORT_DAYS": "mon,funday"}, "SUPPORT_DAYS"),
    ({"CONSOLE_SESSION_HOURS": "long"}, "CONSOLE_SESSION_HOURS"),
])
def test_bad_hours_stop_the_start_with_a_message_naming_the_setting(env, names):
    with pytest.raises(SettingsError, match=names):
        load_gateway_settings({**SECRETS, **env})


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_a_missing_secret_stops_the_start(missing):
    env = {k: v for k, v in SECRETS.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        load_gateway_settings(env)

"""When the Customer Success team chats live: read from the environment, checked, and described.

The gateway enforces these hours (queue or "leave an e-mail address") and the actions tell users
the same hours, so both read them here and the text can never disagree with what is enforced.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from envsettings import Env, SettingsError, text, whole_number

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class SupportHours:
    """When the team answers live, in UTC: days (0 = Monday) and [open, close)."""

    open_hour: int
    close_hour: int
    days: tuple[int, ...]


def load_support_hours(env: Env) -> SupportHours:
    open_hour = whole_number(env, "SUPPORT_OPEN_HOUR", 9)
    close_hour = whole_number(env, "SUPPORT_CLOSE_HOUR", 17)
    if not 0 <= open_hour < close_hour <= 24:
        raise SettingsError(
            f"SUPPORT_OPEN_HOUR and SUPPORT_CLOSE_HOUR must satisfy 0 <= open < close <= 24 "
            f"(hours in UTC), got {open_hour} and {close_hour}.")
    raw_days = text(env, "SUPPORT_DAYS", "mon,tue,wed,thu,fri")
    names = [day.strip().lower()[:3] for day in raw_days.split(",")]
    unknown = [day for day in names if day and day not in WEEKDAYS]
    if unknown:
        raise SettingsError(f"SUPPORT_DAYS must be weekday names like mon,tue,wed (or empty: "
                            f"never open), got {raw_days!r}.")
    days = tuple(sorted({WEEKDAYS.index(d) for d in names if d}))
    return SupportHours(open_hour=open_hour, close_hour=close_hour, days=days)


def is_open(hours: SupportHours, now: datetime) -> bool:
    """True when `now` (any timezone) falls on an open day, at or after opening, before closing."""
    moment = now.astimezone(UTC)
    return moment.weekday() in hours.days and hours.open_hour <= moment.hour < hours.close_hour


def describe(hours: SupportHours) -> str | None:
    """'Monday to Friday, 09:00–17:00 (UTC)'; None when the team never chats live."""
    if not hours.days:
        return None
    days = list(hours.days)
    if len(days) == 7:
        when = "every day"
    elif len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        when = f"{DAY_NAMES[days[0]]} to {DAY_NAMES[days[-1]]}"
    else:
        when = ", ".join(DAY_NAMES[d] for d in days)
    return f"{when}, {hours.open_hour:02d}:00–{hours.close_hour:02d}:00 (UTC)"

"""When the Customer Success team chats live: read from the environment, checked, and described.

The gateway enforces these hours (queue or "leave an e-mail address") and the actions tell users
the same hours, so both read them here and the text can never disagree with what is enforced.
They are configured in UTC and told on the client's own clock when its zone is known (`describe`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from envsettings import Env, SettingsError, text, whole_number
from envsettings.zones import zone_name

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


def describe(hours: SupportHours, zone: tzinfo = UTC, now: datetime | None = None) -> str | None:
    """The hours in words on the client's clock, the zone named: 'Monday to Friday, 10:00–18:00
    Paris time'; 'Monday to Friday, 09:00–17:00 (UTC)' in UTC. None when the team never chats live.

    Each open day of the coming week (from `now`) is converted with zoneinfo, so a day shift
    (Tokyo: Tuesday to Saturday) and a DST change within the week are told as they will be; an
    interval that ends after the client's midnight says "the next day".
    """
    if not hours.days:
        return None
    start_day = (now or datetime.now(UTC)).astimezone(UTC).date()
    groups: dict[str, set[int]] = {}
    for offset in range(7):
        day = start_day + timedelta(days=offset)
        if day.weekday() not in hours.days:
            continue
        opens = datetime.combine(day, time(hours.open_hour), UTC)
        closes = opens + timedelta(hours=hours.close_hour - hours.open_hour)
        local_open, local_close = opens.astimezone(zone), closes.astimezone(zone)
        groups.setdefault(_interval(local_open, local_close), set()).add(local_open.weekday())
    parts = [f"{_days(sorted(days))}, {interval}"
             for interval, days in sorted(groups.items(), key=lambda item: min(item[1]))]
    told = "; ".join(parts)
    named = zone_name(zone)
    if named == "UTC":
        return f"{told} (UTC)"
    return f"{told}, {named}" if told.endswith("next day") else f"{told} {named}"


def _interval(opens: datetime, closes: datetime) -> str:
    """'10:00–18:00'; '22:00–06:00 the next day'; a close at midnight is '24:00'."""
    if closes.date() > opens.date() and closes.time() == time(0):
        return f"{opens:%H:%M}–24:00"
    later = " the next day" if closes.date() > opens.date() else ""
    return f"{opens:%H:%M}–{closes:%H:%M}{later}"


def _days(days: list[int]) -> str:
    if len(days) == 7:
        return "every day"
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]} to {DAY_NAMES[days[-1]]}"
    return ", ".join(DAY_NAMES[d] for d in days)

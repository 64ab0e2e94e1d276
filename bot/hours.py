"""The Customer Success team's hours: is someone there now, and how to say when they are."""
from __future__ import annotations

from datetime import datetime, timezone

from bot.config import SupportHours

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def is_open(hours: SupportHours, now: datetime) -> bool:
    """True when `now` (any timezone) falls on an open day, at or after opening, before closing."""
    moment = now.astimezone(timezone.utc)
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

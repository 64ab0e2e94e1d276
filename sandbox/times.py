"""Time helpers: the app's clock, and ISO 8601 in UTC with a `Z` in and out."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Clock = Callable[[], datetime]

ISO_EXAMPLE = "2026-11-27T10:00:00Z"


def system_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)


def ensure_utc(value: datetime) -> datetime:
    """Return `value` in UTC; naive datetimes are refused because they are ambiguous."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime (UTC)")
    return value.astimezone(UTC)


def make_clock(now: datetime | Clock | None) -> Clock:
    """A clock from a fixed datetime (frozen time, for tests), a callable, or None (real time)."""
    if now is None:
        return system_clock
    if isinstance(now, datetime):
        fixed = ensure_utc(now)
        return lambda: fixed
    return now


def iso_z(value: datetime) -> str:
    """`2026-11-27T10:00:00Z`: UTC, whole seconds, `Z` suffix."""
    return ensure_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso_utc(text: str) -> datetime:
    """Parse an ISO 8601 date-time that carries a timezone; raises ValueError with a reason."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"must be an ISO 8601 date-time like {ISO_EXAMPLE}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"must include a timezone (Z for UTC), like {ISO_EXAMPLE}")
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("is out of range") from None


def zone(name: str) -> tzinfo:
    """The IANA time zone of that name; UTC for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def zone_label(name: str) -> str:
    """"Europe/London" -> "London time"; "UTC" (also for an unknown zone, shown in UTC)."""
    if name in ("UTC", "Etc/UTC") or zone(name) is UTC:
        return "UTC"
    return f"{name.rsplit('/', 1)[-1].replace('_', ' ')} time"


def human(value: datetime, time_zone: str = "UTC") -> str:
    """`Thursday 5 March 2026, 10:00 UTC`, or on a person's own clock with its zone named
    (`time_zone` "Europe/Paris": `Thursday 5 March 2026, 11:00 Paris time`), for e-mails and
    pages."""
    value = ensure_utc(value).astimezone(zone(time_zone))
    return f"{value:%A} {value.day} {value:%B %Y, %H:%M} {zone_label(time_zone)}"

"""Time helpers: the app's clock, and ISO 8601 in UTC with a `Z` in and out."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

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


def human(value: datetime) -> str:
    """`Thursday 5 March 2026, 10:00 UTC`, for e-mails and pages."""
    value = ensure_utc(value)
    return f"{value:%A} {value.day} {value:%B %Y, %H:%M} UTC"

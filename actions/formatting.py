"""How money, times, dates, names and e-mail addresses are written in chat.

    money({"amount": 18000, "currency": "ISK"})   -> "18,000 ISK"
    when("2026-11-27T10:00:00Z", PARIS)            -> "Thu 27 Nov, 11:00 (Paris time)"
    slot_title("2026-11-27T10:00:00Z", PARIS)      -> "Thu 27 Nov, 11:00"
    zone_name(PARIS)                               -> "Paris time"

Every time is shown in the client's own time zone (`zone`, from the platform's client record:
actions.common.client_zone), and said which ("Paris time"); UTC when the zone isn't known.
    long_date("2026-12-31")                        -> "31 December 2026"
    masked_email("anna@northwind.example")         -> "a***@northwind.example"
    first_name("Dr. Sara Hansen")                  -> "Sara"
"""
from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Any

from envsettings.zones import zone_name as zone_name  # re-exported: actions name zones here
from envsettings.zones import zone_of as zone_of

TITLES = {"dr", "dr.", "prof", "prof.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "mx", "mx."}


def parse_time(value: str) -> datetime:
    """An ISO 8601 time from the platform (`...Z`), as an aware UTC datetime."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def money(value: dict[str, Any] | None) -> str:
    """`18,000 ISK`, `120 GBP`, `120.50 GBP`."""
    if not value:
        return ""
    amount, currency = value.get("amount", 0), value.get("currency", "")
    number = float(amount)
    text = f"{int(number):,}" if number.is_integer() else f"{number:,.2f}"
    return f"{text} {currency}".strip()


def local(value: str, zone: tzinfo = UTC) -> datetime:
    return parse_time(value).astimezone(zone)


def slot_title(start: str, zone: tzinfo = UTC) -> str:
    """`Thu 27 Nov, 10:00` in the client's zone: short enough for a button."""
    moment = local(start, zone)
    return f"{moment:%a} {moment.day} {moment:%b}, {moment:%H:%M}"


def when(start: str, zone: tzinfo = UTC) -> str:
    """`Thu 27 Nov, 10:00 (London time)`: a session time in a sentence."""
    return f"{slot_title(start, zone)} ({zone_name(zone)})"


def short_date(value: str, zone: tzinfo = UTC) -> str:
    """`Mon 17 Nov`: the day in the client's zone."""
    moment = local(value, zone)
    return f"{moment:%a} {moment.day} {moment:%b}"


def long_date(value: str) -> str:
    """`31 December 2026` from `2026-12-31`."""
    day = date.fromisoformat(value[:10])
    return f"{day.day} {day:%B %Y}"


def masked_email(email: str | None) -> str:
    """`a***@northwind.example`: enough to recognise, not enough to harvest."""
    if not email or "@" not in email:
        return "your e-mail address"
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def first_name(full_name: str | None) -> str:
    """The first word of a name that isn't a title: "Dr. Sara Hansen" -> "Sara"."""
    words = [w for w in (full_name or "").split() if w.lower() not in TITLES]
    return words[0] if words else (full_name or "")


def in_sentence(title: str | None) -> str:
    """"Clinical psychologist" -> "clinical psychologist" (after a comma)."""
    return (title or "")[:1].lower() + (title or "")[1:]


def duration(minutes: int | None) -> str:
    return f"{minutes} min" if minutes else ""


def bullet_list(lines: list[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)

"""Time zones as clients see them: an IANA name from the platform's client record, and the words
that name it in a message ("Paris time"). Shared by the actions and the gateway."""
from __future__ import annotations

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_of(name: str | None) -> tzinfo:
    """The IANA zone of that name (`Europe/London`), or UTC for none or an unknown name."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def zone_name(zone: tzinfo) -> str:
    """How the zone is named to the client: "London time", "Reykjavik time"; "UTC"."""
    key = getattr(zone, "key", None)
    if not key or key in ("UTC", "Etc/UTC"):
        return "UTC"
    return f"{key.rsplit('/', 1)[-1].replace('_', ' ')} time"

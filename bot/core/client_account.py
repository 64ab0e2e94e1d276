"""The client's account for the console's side panel: what the platform knows, as much as the work
needs.

Credits, connections, upcoming sessions and unpaid invoices, for a verified client only; the
client's name, organisation and hub. Not their e-mail address: the team answers in the chat, or
at the address the client left there out of hours. The platform
is called through the shared platform client (`platform_api`: timeouts, retried safe reads) in a
worker thread. A platform that is down or doesn't know the client gives `available: false` and a
sentence for the agent, never an error.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Any

import anyio.to_thread

from envsettings.zones import zone_of
from platform_api import PlatformClient, PlatformError, PlatformNotFound

log = logging.getLogger("bot.core.client_account")

UNAVAILABLE = ("The platform can't be reached right now, so the client's account isn't shown. "
               "Try again in a moment.")
UNKNOWN_CLIENT = "The platform has no account for this client."
SIGNED_OUT = "The client isn't signed in, so there is no account to show."


class ClientAccountPanel:
    def __init__(self, platform: PlatformClient) -> None:
        self.platform = platform

    def __repr__(self) -> str:
        return f"ClientAccountPanel(platform={self.platform!r})"

    async def for_client(self, client_id: str | None) -> dict[str, Any]:
        if client_id is None:
            return {"available": False, "signed_in": False, "message": SIGNED_OUT}
        return await anyio.to_thread.run_sync(self._fetch, client_id)

    def _fetch(self, client_id: str) -> dict[str, Any]:
        api = self.platform
        try:
            profile = api.get_client(client_id)
            credits = api.get_credits(client_id)
            connections = api.get_connections(client_id)
            sessions = api.list_bookings(client_id, status="upcoming")
            invoices = api.list_invoices(client_id, status="unpaid")
        except PlatformNotFound:
            return {"available": False, "signed_in": True, "message": UNKNOWN_CLIENT}
        except PlatformError as exc:
            log.warning("context for a client: platform failed (%s)", type(exc).__name__)
            return {"available": False, "signed_in": True, "message": UNAVAILABLE}
        return {
            "available": True,
            "signed_in": True,
            "message": None,
            "client": {"id": client_id, "name": profile.get("name"),
                       "organisation": profile.get("organisation"),
                       "hub": (profile.get("hub") or {}).get("name")},
            "credits": {key: credits.get(key)
                        for key in ("remaining", "used", "allowance", "period_end")},
            "connections": [{"name": p.get("name"), "title": p.get("title")} for p in connections],
            "upcoming_sessions": [{
                "professional": (b.get("professional") or {}).get("name"),
                "service": (b.get("service") or {}).get("name"),
                "start": b.get("start"),
                "payment_method": b.get("payment_method"),
                "inside_cancellation_window": b.get("inside_cancellation_window"),
            } for b in sessions],
            "unpaid_invoices": [{
                "number": i.get("number"),
                "professional_name": i.get("professional_name"),
                "service_name": i.get("service_name"),
                "session_start": i.get("session_start"),
                "amount": i.get("amount"),
                "issued_at": i.get("issued_at"),
            } for i in invoices],
        }


@dataclass(frozen=True)
class _Known:
    name: str | None
    zone: tzinfo


class ClientBook:
    """Clients' names (the console's queue and history) and time zones (the team's hours told on
    the client's clock) from the platform: remembered per process, as a name or zone rarely
    changes and the queue asks often; a failed look-up is not tried again for a minute."""

    MAX_REMEMBERED = 10_000
    RETRY_AFTER = 60.0
    ZONE_WAIT = 1.0  # seconds: a reply out of hours isn't held up longer; UTC, named, after that

    def __init__(self, platform: PlatformClient) -> None:
        self.platform = platform
        self._known: dict[str, _Known] = {}
        self._failed: dict[str, float] = {}

    def __repr__(self) -> str:
        return f"ClientBook(platform={self.platform!r})"

    async def name_of(self, client_id: str) -> str | None:
        known = await self._look_up(client_id)
        return known.name if known else None

    async def zone_of(self, client_id: str) -> tzinfo:
        """The client's zone (UTC when unknown, or the platform is slow or down)."""
        try:
            known = await asyncio.wait_for(self._look_up(client_id), self.ZONE_WAIT)
        except TimeoutError:
            log.info("a client's time zone: the platform was too slow; told in UTC")
            return UTC
        return known.zone if known else UTC

    async def _look_up(self, client_id: str) -> _Known | None:
        if client_id in self._known:
            return self._known[client_id]
        if time.monotonic() - self._failed.get(client_id, -self.RETRY_AFTER) < self.RETRY_AFTER:
            return None
        known = await anyio.to_thread.run_sync(self._fetch, client_id)
        for remembered in (self._known, self._failed):
            if len(remembered) >= self.MAX_REMEMBERED:
                remembered.clear()
        if known is not None:
            self._known[client_id] = known
        else:
            self._failed[client_id] = time.monotonic()
        return known

    def _fetch(self, client_id: str) -> _Known | None:
        try:
            profile = self.platform.get_client(client_id)
        except PlatformError as exc:  # PlatformNotFound is one: no name then
            log.info("a client's name and zone: platform failed (%s)", type(exc).__name__)
            return None
        name = profile.get("name")
        return _Known(name=name if isinstance(name, str) and name.strip() else None,
                      zone=zone_of(profile.get("time_zone")))

"""Linking a chat account (Slack, Telegram) to a client with a one-time code from the platform.

    result = await links.redeem(ChannelUser("telegram", "12345"), "482913")
    result.outcome   # LINKED (with the client), WRONG, EXPIRED, USED, LIMITED or UNAVAILABLE

- The code is redeemed with the platform (`platform_api`, in a worker thread); it gives the
  client id, and the client's name is read for the answer and the console.
- Wrong codes are limited: at most `attempts_per_hour` (5) counted attempts per chat account in
  the last hour; beyond, no code is checked until the oldest is an hour old (LIMITED). An attempt
  is counted before the platform is asked (so parallel guesses can't all be checked), and taken
  back when the code worked or the platform couldn't answer. Wrong, expired and used codes count.
- Nothing here binds the account: the caller does, with the conversation, in one transaction
  (bot/store/channel_links.py). The code is never logged.
"""
from __future__ import annotations

import asyncio
import enum
import logging
import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import anyio.to_thread
from sqlalchemy.orm import Session

from bot.core.channel_users import ChannelUser
from bot.store import channel_links as store
from bot.store.db import Database
from bot.store.models import now_utc
from platform_api import (
    LINK_CODE_EXPIRED,
    LINK_CODE_USED,
    PlatformClient,
    PlatformError,
    PlatformRejected,
)

log = logging.getLogger("bot.core.account_links")

ATTEMPTS_PER_HOUR = 5


class LinkOutcome(enum.StrEnum):
    LINKED = "linked"
    WRONG = "wrong"              # no such code (or one replaced by a newer code)
    EXPIRED = "expired"
    USED = "used"
    LIMITED = "limited"          # too many counted attempts this hour: not checked
    UNAVAILABLE = "unavailable"  # the platform couldn't answer: not counted


@dataclass(frozen=True)
class LinkResult:
    outcome: LinkOutcome
    client_id: str | None = None
    client_name: str | None = None
    first_name: str | None = None
    tries_left: int = 0      # after a refused code: how many more this hour
    retry_minutes: int = 0   # LIMITED: until the oldest counted attempt is an hour old


@dataclass(frozen=True)
class Link:
    client_id: str
    client_name: str | None


class AccountLinks:
    def __init__(self, db: Database, platform: PlatformClient,
                 attempts_per_hour: int = ATTEMPTS_PER_HOUR,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.db = db
        self.platform = platform
        self.attempts_per_hour = attempts_per_hour
        self.clock = clock
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary())

    def __repr__(self) -> str:
        return f"AccountLinks(platform={self.platform!r})"

    async def link_of(self, user: ChannelUser) -> Link | None:
        """The client this chat account is linked to, if any."""
        def read(session: Session) -> Link | None:
            found = store.find_link(session, user.channel, user.user_id)
            return Link(found.client_id, found.client_name) if found is not None else None

        return await self.db.run(read)

    async def redeem(self, user: ChannelUser, code: str) -> LinkResult:
        """Check the code with the platform, within the account's hourly limit."""
        lock = self._locks.get((user.channel, user.user_id))
        if lock is None:
            lock = self._locks[(user.channel, user.user_id)] = asyncio.Lock()
        async with lock:
            counted = await self.db.run(lambda session: self._count_attempt(session, user))
            if isinstance(counted, LinkResult):
                log.info("link attempt refused: too many wrong codes (%s)", user.channel)
                return counted
            attempt_id, used_tries = counted
            try:
                client_id = await anyio.to_thread.run_sync(self.platform.redeem_link_code, code)
            except PlatformRejected as refused:
                outcome = {LINK_CODE_EXPIRED: LinkOutcome.EXPIRED,
                           LINK_CODE_USED: LinkOutcome.USED}.get(refused.code, LinkOutcome.WRONG)
                log.info("link code refused (%s, %s)", user.channel, outcome.value)
                return LinkResult(outcome, tries_left=self.attempts_per_hour - used_tries)
            except PlatformError as exc:
                log.warning("link code not checked: platform unavailable (%s)",
                            type(exc).__name__)
                await self.db.run(lambda session: store.forget_attempt(session, attempt_id))
                return LinkResult(LinkOutcome.UNAVAILABLE)
            await self.db.run(lambda session: store.forget_attempt(session, attempt_id))
        name, first_name = await self._names(client_id)
        log.info("chat account linked (%s)", user.channel)
        return LinkResult(LinkOutcome.LINKED, client_id, name, first_name)

    async def cancel(self, code: str) -> bool:
        """Use up a code that others have seen (sent in a shared chat); True if it was live."""
        try:
            await anyio.to_thread.run_sync(self.platform.redeem_link_code, code)
        except PlatformError:
            return False
        return True

    def _count_attempt(self, session: Session,
                       user: ChannelUser) -> tuple[int, int] | LinkResult:
        """A new counted attempt (its id, and how many count now), or LIMITED."""
        now = self.clock()
        earlier = store.attempts_since(session, user.channel, user.user_id,
                                       now - store.ATTEMPT_WINDOW)
        if len(earlier) >= self.attempts_per_hour:
            free_at = earlier[-self.attempts_per_hour] + store.ATTEMPT_WINDOW
            minutes = max(1, math.ceil((free_at - now).total_seconds() / 60))
            return LinkResult(LinkOutcome.LIMITED, retry_minutes=minutes)
        attempt_id = store.add_attempt(session, user.channel, user.user_id, now)
        return attempt_id, len(earlier) + 1

    async def _names(self, client_id: str) -> tuple[str | None, str | None]:
        """The client's name and first name for the answer and the console (None if the platform
        can't say now: the link holds all the same)."""
        try:
            profile = await anyio.to_thread.run_sync(self.platform.get_client, client_id)
        except PlatformError as exc:
            log.warning("linked client's name not read (%s)", type(exc).__name__)
            return None, None
        name, first = profile.get("name"), profile.get("first_name")
        return (name if isinstance(name, str) else None,
                first if isinstance(first, str) else None)

"""Finding and starting conversations, and reading what the client may see of them.

A conversation belongs to one channel. The widget finds its conversation by the key it was given
at the start; other channels by their own conversation id (a Telegram chat, a Slack DM), through
`open_external`. The identity (`client_id`) is always the one the channel adapter verified.

A key is a bearer credential, so it doesn't live for ever: it stops working after `key_idle`
without use (`KeyState.EXPIRED`: start a new conversation; the old one's history is not given
out again), and a signed-in conversation's key also needs the client's identity verified again
(a fresh identity token, given when resuming) at least every `key_idle`
(`KeyState.IDENTITY_STALE`). A key in use is marked used at most once a minute (or a
hundredth of `key_idle`, if that is shorter).
"""
from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.present import agent_name_of, message_json
from bot.store import conversations as store
from bot.store.db import Database
from bot.store.models import Conversation, now_utc, utc

log = logging.getLogger("bot.core.conversations")


@dataclass(frozen=True)
class Started:
    conversation_id: str
    conversation_key: str | None
    signed_in: bool
    mode: str
    resumed: bool


class KeyState(enum.StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"                # no conversation has this key
    EXPIRED = "expired"                # unused for too long: it opens nothing any more
    IDENTITY_STALE = "identity_stale"  # signed in, and the identity needs a fresh token


@dataclass(frozen=True)
class KeyCheck:
    state: KeyState
    conversation_id: str | None = None
    seconds_left: float = 0.0  # while OK: until the key (or the identity) would need renewing


KEY_TOUCH_INTERVAL = timedelta(minutes=1)  # a key in use is marked used at most this often
DEFAULT_KEY_IDLE = timedelta(hours=24)


class Conversations:
    def __init__(self, db: Database, key_idle: timedelta = DEFAULT_KEY_IDLE,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.db = db
        self.key_idle = key_idle
        self.clock = clock
        self.touch_every = min(KEY_TOUCH_INTERVAL, key_idle / 100)

    def __repr__(self) -> str:
        return f"Conversations(db={self.db!r}, key_idle={self.key_idle})"

    async def start(self, channel: str, client_id: str | None, key: str | None) -> Started:
        """Resume the conversation of `key` if the key still works and the identity is the same
        (its identity counts as verified again now), else start a new one."""
        def work(session: Session) -> Started:
            now = self.clock()
            found = store.find_by_key(session, key) if key else None
            if (found is not None and found.client_id == client_id
                    and self._key_state(found, now) != KeyState.EXPIRED):
                store.mark_key_used(session, found, now, identity_verified=client_id is not None)
                return Started(found.id, key, client_id is not None, found.mode.value, True)
            conversation, new_key = store.create_conversation(session, channel, client_id,
                                                              now=now)
            return Started(conversation.id, new_key, client_id is not None,
                           conversation.mode.value, False)

        started = await self.db.run(work)
        if not started.resumed:
            _log_start(started, channel)
        return started

    async def open_external(self, channel: str, external_id: str, client_id: str | None,
                            shared: bool = False, client_name: str | None = None) -> Started:
        """The channel's conversation with this id, created on first contact with the identity
        verified then (`shared`: a group chat or channel, created without a client)."""
        def find_or_create(session: Session) -> Started:
            found = store.find_by_external_id(session, channel, external_id)
            if found is not None:
                return Started(found.id, None, found.client_id is not None, found.mode.value,
                               True)
            conversation, _ = store.create_conversation(session, channel, client_id,
                                                        external_id=external_id, shared=shared,
                                                        client_name=client_name)
            return Started(conversation.id, None, client_id is not None,
                           conversation.mode.value, False)

        try:
            started = await self.db.run(find_or_create)
        except IntegrityError:  # created at the same moment by another replica: take that one
            started = await self.db.run(find_or_create)
        if not started.resumed:
            _log_start(started, channel)
        return started

    async def check_key(self, key: str, use: bool = True) -> KeyCheck:
        """Whether `key` opens its conversation now; a key that does is marked used (if `use`)."""
        def work(session: Session) -> KeyCheck:
            now = self.clock()
            found = store.find_by_key(session, key)
            if found is None:
                return KeyCheck(KeyState.UNKNOWN)
            state = self._key_state(found, now)
            if state != KeyState.OK:
                return KeyCheck(state, found.id)
            used_at = utc(found.key_used_at)
            if use and (used_at is None or now - used_at >= self.touch_every):
                store.mark_key_used(session, found, now)
            return KeyCheck(KeyState.OK, found.id, self._seconds_left(found, now))

        return await self.db.run(work)

    def _key_state(self, conversation: Conversation, now: datetime) -> KeyState:
        used_at = utc(conversation.key_used_at)
        if used_at is None or used_at <= now - self.key_idle:
            return KeyState.EXPIRED
        verified_at = utc(conversation.identity_verified_at)
        if conversation.client_id is not None and (verified_at is None
                                                   or verified_at <= now - self.key_idle):
            return KeyState.IDENTITY_STALE
        return KeyState.OK

    def _seconds_left(self, conversation: Conversation, now: datetime) -> float:
        moments = [utc(conversation.key_used_at)]
        if conversation.client_id is not None:
            moments.append(utc(conversation.identity_verified_at))
        ends = min(moment for moment in moments if moment is not None) + self.key_idle
        return max(0.0, (ends - now).total_seconds())

    async def history(self, conversation_id: str, after: int = 0) -> list[dict[str, Any]]:
        """What the client may see, oldest first (no notes, no internal activity)."""
        return await self.db.run(lambda session: [
            message_json(m) for m in store.messages_after(session, conversation_id, after)])

    async def snapshot(self, conversation_id: str,
                       after: int | None) -> tuple[str, str | None, list[dict[str, Any]]]:
        """The mode, the name of the agent who has the conversation (in mode `agent`), and the
        client-visible messages after seq `after` (none if None)."""
        def read(session: Session) -> tuple[str, str | None, list[dict[str, Any]]]:
            conversation = store.get_conversation(session, conversation_id)
            if conversation is None:
                raise LookupError(conversation_id)
            missed = ([] if after is None else
                      [message_json(m) for m in store.messages_after(session, conversation_id,
                                                                     after)])
            return conversation.mode.value, agent_name_of(conversation), missed

        return await self.db.run(read)


def _log_start(started: Started, channel: str) -> None:
    log.info("conversation %s: started (%s, %s)", started.conversation_id, channel,
             "signed in" if started.signed_in else "signed out")

"""Units of work that announce what they changed, after the commit, in commit order.

    result = await unit_of_work(conversation_id, lambda session, changes: ...)

`UnitOfWork` runs the work in one transaction (`Database.run`), then hands what the work recorded
in its `ChangeSet` to whoever must hear it. Per conversation, "commit and announce" runs under one
lock, so announcements leave in the order their rows were committed (a channel can trust seqs),
with one exception below.

When the store loses its connection while a unit of work commits, whether it committed is
unknown: nothing is announced then, and the error carries what would have been (`in_doubt_of`),
for the caller that learns later that the commit happened (bot/core/turn_end.py) to announce it
then, once the rows are found in the store: late (half a second or more), so after anything the
conversation committed in between. The widget orders what it shows by seq; on Slack and
Telegram such an answer shows after those later messages.

Who hears what:
- the conversation's own channel (through the channel seam, `Deliveries`): the messages the
  client may see (text, button clicks), and the mode when it changed;
- the console's live stream: every message of a conversation that is with the team (waiting or
  agent) or followed by the agent who handed it back (`watching_agent_id`), activity lines
  always, and the conversation's queue line whenever it is with the team or its mode changed.
"""
from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.core.channel_seam import ChannelAddress, Deliveries
from bot.core.live_events import CONSOLE, Event, EventHub
from bot.core.present import agent_name_of, message_json, queue_item_json
from bot.store.conversations import CLIENT_VISIBLE_KINDS
from bot.store.db import Database
from bot.store.models import Conversation, Kind, Message, Mode

T = TypeVar("T")
TEAM_MODES = (Mode.WAITING, Mode.AGENT)


def address_of(conversation: Conversation) -> ChannelAddress:
    return ChannelAddress(conversation.id, conversation.channel, conversation.external_id)


@dataclass(frozen=True)
class _ToClient:
    to: ChannelAddress
    message: dict[str, Any] | None = None
    mode: str | None = None
    agent_name: str | None = None


class ChangeSet:
    """What one unit of work changed; rendered inside the transaction, announced after it."""

    def __init__(self) -> None:
        self._conversations: dict[str, tuple[Conversation, Mode]] = {}
        self._messages: list[tuple[str, Message]] = []
        self._to_console: list[Event] = []
        self._to_clients: list[_ToClient] = []
        self._message_ids: list[str] = []

    def track(self, conversation: Conversation) -> None:
        """Watch a conversation (call before changing its mode) to announce its changes."""
        self._conversations.setdefault(conversation.id, (conversation, conversation.mode))

    def message(self, conversation: Conversation, message: Message) -> None:
        self.track(conversation)
        self._messages.append((conversation.id, message))

    def seal(self) -> None:
        """Render every announcement now, while the rows are still attached to the session."""
        final = {cid: c for cid, (c, _) in self._conversations.items()}
        for conversation_id, message in self._messages:
            self._message_ids.append(message.id)
            conversation = final[conversation_id]
            if message.kind in CLIENT_VISIBLE_KINDS:
                self._to_clients.append(_ToClient(address_of(conversation),
                                                  message=message_json(message)))
            if (conversation.mode in TEAM_MODES or message.kind == Kind.ACTIVITY
                    or conversation.watching_agent_id is not None):
                self._to_console.append(Event("message", {
                    "conversation_id": conversation_id,
                    "mode": conversation.mode.value,
                    "assignee_agent_id": conversation.assignee_agent_id,
                    "watching_agent_id": conversation.watching_agent_id,
                    "message": message_json(message, for_console=True),
                }))
        for conversation, mode_before in self._conversations.values():
            changed = conversation.mode != mode_before
            if changed:
                self._to_clients.append(_ToClient(address_of(conversation),
                                                  mode=conversation.mode.value,
                                                  agent_name=agent_name_of(conversation)))
            if changed or conversation.mode in TEAM_MODES:
                self._to_console.append(Event("conversation", queue_item_json(conversation)))

    def message_ids(self) -> list[str]:
        """The ids of the messages this unit of work stored (read by `seal`)."""
        return list(self._message_ids)

    def announce(self, hub: EventHub, deliveries: Deliveries) -> None:
        for item in self._to_clients:
            delivery = deliveries.of(item.to)
            if item.message is not None:
                delivery.deliver(item.to, item.message)
            if item.mode is not None:
                delivery.mode_changed(item.to, item.mode, item.agent_name)
        for event in self._to_console:
            hub.publish(CONSOLE, event)


class UnitOfWork:
    """Runs units of work on the store and announces their changes (see the module docstring)."""

    def __init__(self, db: Database, hub: EventHub, deliveries: Deliveries) -> None:
        self.db = db
        self.hub = hub
        self.deliveries = deliveries
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def __repr__(self) -> str:
        return f"UnitOfWork(db={self.db!r})"

    async def __call__(self, conversation_id: str,
                       work: Callable[[Session, ChangeSet], T]) -> T:
        sealed: list[ChangeSet] = []  # each try's, done and about to commit

        def unit(session: Session) -> tuple[T, ChangeSet]:
            changes = ChangeSet()
            result = work(session, changes)
            changes.seal()
            sealed.append(changes)
            return result, changes

        async with self._lock_of(conversation_id):
            try:
                result, changes = await self.db.run(unit)
            except DBAPIError as exc:
                if sealed:  # the work was done; its commit failed, perhaps after committing
                    setattr(exc, _IN_DOUBT, InDoubt(self, conversation_id, sealed[-1]))
                raise
            changes.announce(self.hub, self.deliveries)
        return result

    def _lock_of(self, conversation_id: str) -> asyncio.Lock:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = self._locks[conversation_id] = asyncio.Lock()
        return lock

    async def announce_if_stored(self, conversation_id: str, changes: ChangeSet) -> bool:
        """Announce `changes` if the messages they stored are in the store (their commit, whose
        outcome was unknown, happened); True if so. Nothing to check (no message): False."""
        ids = changes.message_ids()
        if not ids:
            return False

        def all_stored(session: Session) -> bool:
            found = session.scalar(select(func.count()).select_from(Message)
                                   .where(Message.id.in_(ids)))
            return found == len(set(ids))

        async with self._lock_of(conversation_id):
            if not await self.db.run(all_stored):
                return False
            changes.announce(self.hub, self.deliveries)
        return True


_IN_DOUBT = "wellbeing_in_doubt"  # the attribute of a store error that carries its `InDoubt`


@dataclass(frozen=True)
class InDoubt:
    """A unit of work whose commit may have happened: announced once it is known it did."""

    unit_of_work: UnitOfWork
    conversation_id: str
    changes: ChangeSet

    async def announce_if_committed(self) -> bool:
        return await self.unit_of_work.announce_if_stored(self.conversation_id, self.changes)


def in_doubt_of(exc: BaseException) -> InDoubt | None:
    """What a unit of work that failed with this store error would have announced, if its work
    was done and only its commit failed (the outcome unknown)."""
    found = getattr(exc, _IN_DOUBT, None)
    return found if isinstance(found, InDoubt) else None

"""Units of work that announce what they changed, after the commit, in commit order.

    result = await unit_of_work(conversation_id, lambda session, changes: ...)

`UnitOfWork` runs the work in one transaction (`Database.run`), then hands what the work recorded
in its `ChangeSet` to whoever must hear it. Per conversation, "commit and announce" runs under one
lock, so announcements leave in the order their rows were committed (a channel can trust seqs).

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
        def unit(session: Session) -> tuple[T, ChangeSet]:
            changes = ChangeSet()
            result = work(session, changes)
            changes.seal()
            return result, changes

        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = self._locks[conversation_id] = asyncio.Lock()
        async with lock:
            result, changes = await self.db.run(unit)
            changes.announce(self.hub, self.deliveries)
        return result

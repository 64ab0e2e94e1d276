"""Units of work that announce what they changed, after the commit, in commit order.

    changed = await writer(conversation_id, lambda session, changes: ...)

`Writer` runs the work in one transaction (`Database.run`), then publishes what the work recorded
in its `Changes` to the live streams. Per conversation, "commit and publish" runs under one lock,
so events leave in the order their rows were committed (the widget can then trust message seqs).

Who hears what:
- the conversation's stream (widget): messages the client may see (text, button clicks), and the
  mode when it changed;
- the console stream: every message of a conversation that is with the team (waiting or agent),
  activity lines always, and the conversation's queue line whenever it is with the team or its
  mode changed.
"""
from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from bot.events import CONSOLE, Event, EventHub, conversation_channel
from bot.present import message_json, queue_item_json
from bot.store.conversations import CLIENT_VISIBLE_KINDS
from bot.store.db import Database
from bot.store.models import Conversation, Kind, Message, Mode

T = TypeVar("T")
TEAM_MODES = (Mode.WAITING, Mode.AGENT)


class Changes:
    """What one unit of work changed; rendered inside the transaction, published after it."""

    def __init__(self) -> None:
        self._conversations: dict[str, tuple[Conversation, Mode]] = {}
        self._messages: list[tuple[str, Message]] = []
        self._rendered: list[tuple[str, Event]] = []

    def track(self, conversation: Conversation) -> None:
        """Watch a conversation (call before changing its mode) to announce its changes."""
        self._conversations.setdefault(conversation.id, (conversation, conversation.mode))

    def message(self, conversation: Conversation, message: Message) -> None:
        self.track(conversation)
        self._messages.append((conversation.id, message))

    def seal(self) -> None:
        """Render every event now, while the rows are still attached to the session."""
        final: dict[str, Conversation] = {cid: c for cid, (c, _) in self._conversations.items()}
        for conversation_id, message in self._messages:
            conversation = final[conversation_id]
            if message.kind in CLIENT_VISIBLE_KINDS:
                self._rendered.append((conversation_channel(conversation_id), Event(
                    "message", message_json(message), id=str(message.seq))))
            if conversation.mode in TEAM_MODES or message.kind == Kind.ACTIVITY:
                self._rendered.append((CONSOLE, Event("message", {
                    "conversation_id": conversation_id,
                    "mode": conversation.mode.value,
                    "assignee_agent_id": conversation.assignee_agent_id,
                    "message": message_json(message, for_console=True),
                })))
        for conversation, mode_before in self._conversations.values():
            changed = conversation.mode != mode_before
            if changed:
                self._rendered.append((conversation_channel(conversation.id),
                                       Event("mode", {"mode": conversation.mode.value})))
            if changed or conversation.mode in TEAM_MODES:
                self._rendered.append((CONSOLE, Event("conversation",
                                                      queue_item_json(conversation))))

    def publish(self, hub: EventHub) -> None:
        for channel, event in self._rendered:
            hub.publish(channel, event)


class Writer:
    """Runs units of work on the store and publishes their changes (see the module docstring)."""

    def __init__(self, db: Database, hub: EventHub) -> None:
        self.db = db
        self.hub = hub
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def __repr__(self) -> str:
        return f"Writer(db={self.db!r})"

    async def __call__(self, conversation_id: str,
                      work: Callable[[Session, Changes], T]) -> T:
        def unit(session: Session) -> tuple[T, Changes]:
            changes = Changes()
            result = work(session, changes)
            changes.seal()
            return result, changes

        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = self._locks[conversation_id] = asyncio.Lock()
        async with lock:
            result, changes = await self.db.run(unit)
            changes.publish(self.hub)
        return result

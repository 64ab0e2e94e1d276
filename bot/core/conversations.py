"""Finding and starting conversations, and reading what the client may see of them.

A conversation belongs to one channel. The widget finds its conversation by the key it was given
at the start; other channels by their own conversation id (a Telegram chat, a Slack DM), through
`open_external`. The identity (`client_id`) is always the one the channel adapter verified.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.present import message_json
from bot.store import conversations as store
from bot.store.db import Database

log = logging.getLogger("bot.core.conversations")


@dataclass(frozen=True)
class Started:
    conversation_id: str
    conversation_key: str | None
    signed_in: bool
    mode: str
    resumed: bool


class Conversations:
    def __init__(self, db: Database) -> None:
        self.db = db

    def __repr__(self) -> str:
        return f"Conversations(db={self.db!r})"

    async def start(self, channel: str, client_id: str | None, key: str | None) -> Started:
        """Resume the conversation of `key` if it has the same identity, else start a new one."""
        def work(session: Session) -> Started:
            found = store.find_by_key(session, key) if key else None
            if found is not None and found.client_id == client_id:
                return Started(found.id, key, client_id is not None, found.mode.value, True)
            conversation, new_key = store.create_conversation(session, channel, client_id)
            return Started(conversation.id, new_key, client_id is not None,
                           conversation.mode.value, False)

        started = await self.db.run(work)
        if not started.resumed:
            _log_start(started, channel)
        return started

    async def open_external(self, channel: str, external_id: str,
                            client_id: str | None) -> Started:
        """The channel's conversation with this id, created on first contact with the identity
        the adapter verified then."""
        def find_or_create(session: Session) -> Started:
            found = store.find_by_external_id(session, channel, external_id)
            if found is not None:
                return Started(found.id, None, found.client_id is not None, found.mode.value,
                               True)
            conversation, _ = store.create_conversation(session, channel, client_id,
                                                        external_id=external_id)
            return Started(conversation.id, None, client_id is not None,
                           conversation.mode.value, False)

        try:
            started = await self.db.run(find_or_create)
        except IntegrityError:  # created at the same moment by another replica: take that one
            started = await self.db.run(find_or_create)
        if not started.resumed:
            _log_start(started, channel)
        return started

    async def id_for_key(self, key: str) -> str | None:
        def work(session: Session) -> str | None:
            found = store.find_by_key(session, key)
            return found.id if found else None

        return await self.db.run(work)

    async def history(self, conversation_id: str, after: int = 0) -> list[dict[str, Any]]:
        """What the client may see, oldest first (no notes, no internal activity)."""
        return await self.db.run(lambda session: [
            message_json(m) for m in store.messages_after(session, conversation_id, after)])

    async def snapshot(self, conversation_id: str,
                       after: int | None) -> tuple[str, list[dict[str, Any]]]:
        """The mode, and the client-visible messages after seq `after` (none if None)."""
        def read(session: Session) -> tuple[str, list[dict[str, Any]]]:
            conversation = store.get_conversation(session, conversation_id)
            if conversation is None:
                raise LookupError(conversation_id)
            missed = ([] if after is None else
                      [message_json(m) for m in store.messages_after(session, conversation_id,
                                                                     after)])
            return conversation.mode.value, missed

        return await self.db.run(read)


def _log_start(started: Started, channel: str) -> None:
    log.info("conversation %s: started (%s, %s)", started.conversation_id, channel,
             "signed in" if started.signed_in else "signed out")

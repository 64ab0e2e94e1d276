"""Rasa's tracker store, for erasure: Rasa 3.6's HTTP API can't delete a tracker, so the gateway
removes a conversation's tracker from Rasa's own SQL tracker store (endpoints.yml: SQLite for
`make run`, PostgreSQL in the production profile; RASA_TRACKER_STORE_URL).

Rasa's `SQLTrackerStore` keeps every event of a conversation as a row of its `events` table with
the conversation's id (`sender_id`, the gateway's conversation id); deleting the rows deletes the
tracker (Rasa reads a tracker from the table each time; a conversation written again starts
afresh). A store Rasa has not created yet holds no tracker.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Engine, MetaData, String, Table, delete, inspect

from bot.store.db import make_engine

EVENTS = Table("events", MetaData(), Column("sender_id", String(255)))


class RasaTrackers:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> RasaTrackers:
        return cls(make_engine(url))

    def __repr__(self) -> str:
        return f"RasaTrackers(backend={self.engine.url.get_backend_name()!r})"

    def erase(self, conversation_ids: Sequence[str]) -> int:
        """Delete the trackers of these conversations; how many events went."""
        if not conversation_ids:
            return 0
        with self.engine.begin() as connection:
            if not inspect(connection).has_table("events"):
                return 0
            result = connection.execute(
                delete(EVENTS).where(EVENTS.c.sender_id.in_(list(conversation_ids))))
            return int(result.rowcount or 0)

    def dispose(self) -> None:
        self.engine.dispose()

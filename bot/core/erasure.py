"""Erasing conversations: the client asked (bot/core/data_rights.py), or retention (`prune`).

For each conversation, in this order:
1. its Rasa tracker is deleted from Rasa's tracker store (bot/store/rasa_trackers.py); if that
   fails nothing else happens (the next try does it all);
2. in one transaction: every message goes, one tombstone message takes their place ("This
   conversation was erased ..."), `erased_at` is set, the review queue's undecided items from it
   go, and the audit log records that an erasure happened, who asked and when (never what was
   said).

Retention: a conversation whose last message is older than RETENTION_MONTHS is erased the same
way (`make prune`, and at every gateway start); one erased already is erased again only once a
client wrote in it after the erasure and that, too, has grown old.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from bot.store import conversations as store
from bot.store.agents import audit
from bot.store.db import Database
from bot.store.events import forget_comments
from bot.store.models import Conversation, Message, Sender, now_utc
from bot.store.rasa_trackers import RasaTrackers
from bot.store.review import forget_open_items

log = logging.getLogger("bot.core.erasure")

ERASED_AT_CLIENT_REQUEST = "client_request"
ERASED_BY_RETENTION = "retention"
AUDIT_ACTION = "erasure"
PRUNE_BATCH = 200


def tombstone_text(why: str, when: datetime) -> str:
    day = when.strftime("%Y-%m-%d")
    if why == ERASED_BY_RETENTION:
        return f"This conversation was erased on {day}: we keep conversations for a limited time."
    return f"This conversation was erased on {day} at the client's request."


@dataclass(frozen=True)
class Erased:
    conversations: int
    tracker_events: int


class Erasure:
    def __init__(self, db: Database, trackers: RasaTrackers) -> None:
        self.db = db
        self.trackers = trackers

    def __repr__(self) -> str:
        return f"Erasure(trackers={self.trackers!r})"

    def erase_client(self, session: Session, client_id: str, asked_on: str,
                     now: datetime) -> Erased:
        """Every conversation of this client, on every channel (in the caller's transaction;
        the trackers are deleted first, at once)."""
        ids = list(session.scalars(select(Conversation.id)
                                   .where(Conversation.client_id == client_id)))
        events = self.trackers.erase(ids)
        erase_in_store(session, ids, ERASED_AT_CLIENT_REQUEST,
                       f"asked by client {client_id} on {asked_on}", now)
        return Erased(len(ids), events)

    def prune(self, months: int, now: datetime | None = None) -> Erased:
        """Erase every conversation whose last message is older than `months` (0: none)."""
        if months <= 0:
            return Erased(0, 0)
        now = now or now_utc()
        cutoff = months_before(now, months)
        total = Erased(0, 0)
        while True:
            ids = self.db.run_sync(lambda session: due_for_retention(session, cutoff))
            if not ids:
                return total
            events = self.trackers.erase(ids)
            self.db.run_sync(lambda session, ids=ids: erase_in_store(  # type: ignore[misc]
                session, ids, ERASED_BY_RETENTION, f"retention: {months} months", now))
            total = Erased(total.conversations + len(ids), total.tracker_events + events)
            log.info("retention: %d conversations erased", len(ids))


def months_before(when: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day if shorter)."""
    year, month = divmod(when.year * 12 + when.month - 1 - months, 12)
    month += 1
    for day in range(when.day, 27, -1):
        try:
            return when.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return when.replace(year=year, month=month, day=min(when.day, 28))


def due_for_retention(session: Session, cutoff: datetime) -> list[str]:
    return list(session.scalars(
        select(Conversation.id).where(
            Conversation.updated_at < cutoff,
            or_(Conversation.erased_at.is_(None),
                Conversation.updated_at > Conversation.erased_at))
        .order_by(Conversation.updated_at).limit(PRUNE_BATCH)))


def erase_in_store(session: Session, conversation_ids: Sequence[str], why: str, who: str,
                   now: datetime) -> None:
    """The store's part of an erasure (see the module's docstring), in the caller's transaction."""
    if not conversation_ids:
        return
    session.execute(delete(Message).where(Message.conversation_id.in_(conversation_ids)))
    forget_open_items(session, conversation_ids)
    forget_comments(session, conversation_ids)
    for conversation_id in conversation_ids:
        conversation = store.get_conversation(session, conversation_id)
        if conversation is None:
            continue
        store.add_message(session, conversation, Sender.SYSTEM, tombstone_text(why, now))
        conversation.erased_at = now
        conversation.updated_at = now
        conversation.contact_email = None
        conversation.client_name = None
        conversation.watching_agent_id = None
        audit(session, None, AUDIT_ACTION, conversation_id, who)
    session.flush()

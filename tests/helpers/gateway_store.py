"""Look into (and set up) a gateway's store from a test: audit rows, a second agent, time passing
for a conversation's key."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.gateway.auth import seed_agent
from bot.store.db import Database
from bot.store.migrate import upgrade_head
from bot.store.models import AuditEvent, Conversation, Message, now_utc


def add_agent(database_url: str, email: str, password: str, name: str) -> None:
    db = Database.from_url(database_url)
    try:
        db.run_sync(lambda session: seed_agent(session, email, name, password))
    finally:
        db.dispose()


def audit_rows(database_url: str, conversation_id: str | None = None) -> list[tuple]:
    """(action, conversation id, agent id, at) of each audit row, oldest first."""
    db = Database.from_url(database_url)
    try:
        def read(session):
            query = select(AuditEvent).order_by(AuditEvent.id)
            if conversation_id is not None:
                query = query.where(AuditEvent.conversation_id == conversation_id)
            return [(row.action, row.conversation_id, row.agent_id, row.at)
                    for row in session.scalars(query)]

        return db.run_sync(read)
    finally:
        db.dispose()


def conversation_row(database_url: str, conversation_id: str) -> Conversation:
    db = Database.from_url(database_url)
    try:
        return db.run_sync(lambda session: session.get(Conversation, conversation_id))
    finally:
        db.dispose()


def unrouted_messages(database_url: str) -> list[tuple[str, int, str]]:
    """(conversation id, seq, text) of every client message still waiting for its turn."""
    db = Database.from_url(database_url)
    try:
        def read(session):
            query = select(Message).where(Message.routed.is_(False)).order_by(
                Message.conversation_id, Message.seq)
            return [(m.conversation_id, m.seq, m.text) for m in session.scalars(query)]

        return db.run_sync(read)
    finally:
        db.dispose()


def age_conversation(database_url: str, conversation_id: str,
                     key_used: timedelta | None = None,
                     identity_verified: timedelta | None = None) -> None:
    """As if its key was last used, or its client's identity last verified, that long ago."""
    values = {}
    if key_used is not None:
        values["key_used_at"] = now_utc() - key_used
    if identity_verified is not None:
        values["identity_verified_at"] = now_utc() - identity_verified
    db = Database.from_url(database_url)
    try:
        db.run_sync(lambda session: session.execute(
            update(Conversation).where(Conversation.id == conversation_id).values(**values)))
    finally:
        db.dispose()


def conversations_with(database_url: str, text: str) -> list[tuple[str, str | None, str]]:
    """(conversation id, client id, channel) of every conversation with a message of `text`."""
    from bot.store.models import Message

    db = Database.from_url(database_url)
    try:
        return db.run_sync(lambda session: [
            (c.id, c.client_id, c.channel) for c in session.scalars(
                select(Conversation).join(Message, Message.conversation_id == Conversation.id)
                .where(Message.text == text).distinct())])
    finally:
        db.dispose()


def make_lead(database_url: str, email: str, lead: bool = True) -> None:
    """The agent with this e-mail becomes a lead (or a plain agent again), as
    `python -m bot.cli set-role` does."""
    from bot.store.agents import set_role

    db = Database.from_url(database_url)
    try:
        db.run_sync(lambda session: set_role(session, email, "lead" if lead else "agent"))
    finally:
        db.dispose()


def report_events(database_url: str, conversation_id: str) -> list[tuple]:
    """(kind, intent, topic, reason, value) of the conversation's report events, in order."""
    from bot.store.models import ConversationEvent

    db = Database.from_url(database_url)
    try:
        return db.run_sync(lambda session: [
            (e.kind, e.intent, e.topic, e.reason, e.value) for e in session.scalars(
                select(ConversationEvent).where(ConversationEvent.conversation_id ==
                                                conversation_id).order_by(ConversationEvent.id))])
    finally:
        db.dispose()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh gateway store (SQLite, migrated to head) for tests of the core and store on a real
    database; import it into a suite's conftest or test module."""
    database = Database.from_url(f"sqlite:///{tmp_path / 'gateway.db'}")
    upgrade_head(database.engine)
    yield database
    database.dispose()

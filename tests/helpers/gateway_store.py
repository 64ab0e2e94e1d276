"""Look into (and set up) a gateway's store from a test: audit rows, a second agent."""
from __future__ import annotations

from sqlalchemy import select

from bot.gateway.auth import seed_agent
from bot.store.db import Database
from bot.store.models import AuditEvent, Conversation, Message


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

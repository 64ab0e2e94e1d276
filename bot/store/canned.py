"""Saved replies for the console: the team's (seeded, read-only in the console) and each agent's
own, which only they see and change."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.store.models import CannedReply


def for_agent(session: Session, agent_id: str) -> list[CannedReply]:
    """The team's and this agent's own, the agent's first, then by title."""
    return list(session.scalars(
        select(CannedReply)
        .where(or_(CannedReply.agent_id.is_(None), CannedReply.agent_id == agent_id))
        .order_by(CannedReply.agent_id.is_(None), CannedReply.title, CannedReply.id)))


def add(session: Session, agent_id: str, title: str, text: str) -> CannedReply:
    reply = CannedReply(agent_id=agent_id, title=title, text=text)
    session.add(reply)
    session.flush()
    return reply


def get(session: Session, reply_id: str) -> CannedReply | None:
    return session.get(CannedReply, reply_id)


def remove(session: Session, reply: CannedReply) -> None:
    session.delete(reply)

"""Canned replies: the team's seeded set (read-only here) and each agent's own (add, edit,
delete; nobody else sees them). `{first_name}` in a text is filled in by the console."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.core.handoff_states import Refusal, RefusalKind, Refused
from bot.store import canned
from bot.store.db import Database
from bot.store.models import Agent, CannedReply, now_utc

NO_SUCH_REPLY = Refusal(RefusalKind.NOT_FOUND, "canned_reply_not_found", "No such saved reply.")
TEAM_REPLY = Refusal(RefusalKind.FORBIDDEN, "team_reply",
                     "The team's saved replies can't be changed here: save your own instead.")


def reply_json(reply: CannedReply) -> dict[str, Any]:
    return {"id": reply.id, "title": reply.title, "text": reply.text,
            "own": reply.agent_id is not None}


class SavedReplies:
    def __init__(self, db: Database) -> None:
        self.db = db

    def __repr__(self) -> str:
        return f"SavedReplies(db={self.db!r})"

    async def list(self, agent: Agent) -> list[dict[str, Any]]:
        return await self.db.run(
            lambda session: [reply_json(r) for r in canned.for_agent(session, agent.id)])

    async def add(self, agent: Agent, title: str, text: str) -> dict[str, Any]:
        return await self.db.run(
            lambda session: reply_json(canned.add(session, agent.id, title, text)))

    async def change(self, agent: Agent, reply_id: str, title: str, text: str) -> dict[str, Any]:
        def work(session: Session) -> dict[str, Any]:
            reply = _own(session, agent, reply_id)
            reply.title, reply.text, reply.updated_at = title, text, now_utc()
            return reply_json(reply)

        return await self.db.run(work)

    async def delete(self, agent: Agent, reply_id: str) -> dict[str, bool]:
        def work(session: Session) -> dict[str, bool]:
            canned.remove(session, _own(session, agent, reply_id))
            return {"deleted": True}

        return await self.db.run(work)


def _own(session: Session, agent: Agent, reply_id: str) -> CannedReply:
    reply = canned.get(session, reply_id)
    if reply is None or (reply.agent_id is not None and reply.agent_id != agent.id):
        raise Refused.of(NO_SUCH_REPLY)  # another agent's: as if it didn't exist
    if reply.agent_id is None:
        raise Refused.of(TEAM_REPLY)
    return reply

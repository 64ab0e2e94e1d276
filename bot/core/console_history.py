"""The console's history: search the conversations that were with the team and are closed now,
and open one read-only (bot/store/history.py says which). Any agent may; each search and each
opening is audited (`search_history` with the names of the filters used and the page, never what
was searched for; `view_history`). The client's account is not shown from the history: it is
for the agent helping the client now."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.core.agent_desk import AgentDesk
from bot.core.handoff_states import NO_SUCH_CONVERSATION, Refusal, RefusalKind, Refused
from bot.core.handover_summary import summarise
from bot.core.present import conversation_detail_json, queue_item_json
from bot.store import conversations as store
from bot.store import history
from bot.store.agents import audit
from bot.store.models import Agent

NOT_IN_HISTORY = Refusal(RefusalKind.FORBIDDEN, "not_in_history",
                         "Only conversations that were with the team and are closed now are in "
                         "the history.")


class ConsoleHistory:
    def __init__(self, desk: AgentDesk) -> None:
        self.desk = desk

    def __repr__(self) -> str:
        return f"ConsoleHistory(desk={self.desk!r})"

    async def search(self, agent: Agent, query: history.HistoryQuery) -> dict[str, Any]:
        await self.desk.name_clients(lambda session: history.search(session, query)[0])

        def work(session: Session) -> dict[str, Any]:
            found, total = history.search(session, query)
            last = store.last_client_texts(session, [c.id for c in found])
            used = ",".join(query.used()) or "none"
            audit(session, agent.id, "search_history", None,
                  detail=f"filters {used}; page {query.page}; {total} found"[:200])
            return {"conversations": [queue_item_json(c, last.get(c.id)) for c in found],
                    "total": total, "page": query.page,
                    "per_page": max(1, min(query.per_page, history.MAX_PER_PAGE))}

        return await self.desk.unit_of_work.db.run(work)

    async def open(self, agent: Agent, conversation_id: str) -> dict[str, Any]:
        """The whole transcript (notes and activity too) and its summary, read-only."""
        def work(session: Session) -> dict[str, Any]:
            conversation = store.get_conversation(session, conversation_id)
            if conversation is None:
                raise Refused.of(NO_SUCH_CONVERSATION)
            if not history.in_history(session, conversation):
                raise Refused.of(NOT_IN_HISTORY)
            messages = store.messages_after(session, conversation.id, client_visible_only=False,
                                            limit=10_000)
            audit(session, agent.id, "view_history", conversation.id)
            return {**conversation_detail_json(conversation, messages),
                    "summary": summarise(conversation, messages), "read_only": True}

        return await self.desk.unit_of_work.db.run(work)

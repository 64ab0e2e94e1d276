"""More of the console API (docs/gateway.md): the history (search, open read-only), saved replies
(canned), and closing the view of a conversation the agent handed back. Logged-in agents only;
every state-changing route also needs `X-Requested-With: console`."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from bot.gateway.auth import AgentDep, ConsoleHeader
from bot.gateway.errors import ApiError
from bot.gateway.schemas import SavedReply
from bot.gateway.services import Services, services
from bot.store.history import MAX_PER_PAGE, HistoryQuery

routes = APIRouter(prefix="/console/api", tags=["console"])
ServicesDep = Annotated[Services, Depends(services)]
Filter = Annotated[str | None, Query(max_length=200)]


@routes.get("/history")
async def search_history(
        agent: AgentDep, svc: ServicesDep, client: Filter = None, text: Filter = None,
        status: Literal["resolved", "handed_back"] | None = None,
        channel: Literal["widget", "slack", "telegram"] | None = None,
        since: Annotated[date | None, Query(alias="from")] = None,
        until: Annotated[date | None, Query(alias="to")] = None,
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20) -> dict:
    """Closed conversations that were with the team, latest activity first; `from`/`to` are whole
    days (UTC), both included. Audited."""
    if since and until and until < since:
        raise ApiError(422, "invalid_dates", "The end date is before the start date.")
    query = HistoryQuery(
        client=client or None, text=text or None, status=status, channel=channel,
        since=datetime.combine(since, time(), UTC) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), UTC) if until else None,
        page=page, per_page=per_page)
    return await svc.history.search(agent, query)


@routes.get("/history/{conversation_id}")
async def open_history(conversation_id: str, agent: AgentDep, svc: ServicesDep) -> dict:
    return await svc.history.open(agent, conversation_id)


@routes.post("/conversations/{conversation_id}/unwatch", dependencies=[ConsoleHeader])
async def unwatch(conversation_id: str, agent: AgentDep, svc: ServicesDep) -> dict:
    return await svc.desk.stop_watching(agent, conversation_id)


@routes.get("/canned")
async def saved_replies(agent: AgentDep, svc: ServicesDep) -> dict:
    return {"replies": await svc.saved_replies.list(agent)}


@routes.post("/canned", dependencies=[ConsoleHeader])
async def add_saved_reply(body: SavedReply, agent: AgentDep, svc: ServicesDep) -> dict:
    return {"reply": await svc.saved_replies.add(agent, body.title.strip(), body.text.strip())}


@routes.put("/canned/{reply_id}", dependencies=[ConsoleHeader])
async def change_saved_reply(reply_id: str, body: SavedReply, agent: AgentDep,
                             svc: ServicesDep) -> dict:
    return {"reply": await svc.saved_replies.change(agent, reply_id, body.title.strip(),
                                                    body.text.strip())}


@routes.delete("/canned/{reply_id}", dependencies=[ConsoleHeader])
async def delete_saved_reply(reply_id: str, agent: AgentDep, svc: ServicesDep) -> dict:
    return await svc.saved_replies.delete(agent, reply_id)

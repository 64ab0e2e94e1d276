"""The console API (docs/gateway.md): login, the queue, a conversation, and what an agent does.

A thin adapter over `bot.core.agent_desk.AgentDesk`. Every route needs a logged-in agent; every
state-changing route also needs `X-Requested-With: console`. The live stream sends an agent only
the messages of conversations waiting for the team or claimed by that agent, and ends with the
session (logout, expiry). Logins are throttled per address and IP, and per IP
(bot/gateway/throttle.py), counted before the password is checked.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from bot.core.live_events import Event
from bot.gateway.auth import COOKIE, COOKIE_PATH, AgentDep, ConsoleHeader
from bot.gateway.errors import ApiError, message_text
from bot.gateway.schemas import MAX_MESSAGE_CHARS, AgentText, Login
from bot.gateway.services import Services, client_ip, services
from bot.gateway.sse import event_stream
from bot.gateway.throttle import retry_after_header
from bot.store.models import Agent

routes = APIRouter(prefix="/console/api", tags=["console"])
ServicesDep = Annotated[Services, Depends(services)]


def _me(agent: Agent) -> dict:
    return {"id": agent.id, "name": agent.name, "email": agent.email, "role": agent.role}


@routes.post("/login", dependencies=[ConsoleHeader])
async def login(body: Login, request: Request, svc: ServicesDep) -> JSONResponse:
    """The attempt is counted before the password is checked (parallel guesses can't all be)."""
    who, ip = body.email.strip().lower(), client_ip(request)
    wait = await svc.login_throttle.attempt(who, ip)
    if wait:
        minutes = max(1, round(wait / 60))
        raise ApiError(429, "too_many_attempts",
                       f"Too many failed logins. Wait {minutes} minute{'s' if minutes > 1 else ''}"
                       " and try again.", headers=retry_after_header(wait))
    result = await svc.auth.login(body.email, body.password)
    if result is None:
        raise ApiError(401, "invalid_credentials", "Wrong e-mail address or password.")
    await svc.login_throttle.succeeded(who, ip)
    agent, token = result
    response = JSONResponse({"agent": _me(agent)})
    response.set_cookie(COOKIE, token, max_age=int(svc.auth.session_lifetime.total_seconds()),
                        path=COOKIE_PATH, httponly=True, samesite="strict",
                        secure=svc.auth.secure_cookies)
    return response


@routes.post("/logout", dependencies=[ConsoleHeader])
async def logout(request: Request, agent: AgentDep, svc: ServicesDep) -> JSONResponse:
    await svc.auth.logout(request.cookies.get(COOKIE, ""), agent.id)
    response = JSONResponse({"logged_out": True})
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict",
                           secure=svc.auth.secure_cookies)
    return response


@routes.get("/me")
async def me(agent: AgentDep) -> dict:
    return {"agent": _me(agent)}


@routes.get("/queue")
async def queue(agent: AgentDep, svc: ServicesDep) -> dict:
    """Waiting conversations (priority, then waiting time), then the agent's own."""
    return {"conversations": await svc.desk.queue(agent)}


@routes.get("/conversations/{conversation_id}")
async def conversation(conversation_id: str, agent: AgentDep, svc: ServicesDep) -> dict:
    return await svc.desk.conversation(agent, conversation_id)


@routes.get("/conversations/{conversation_id}/context")
async def context(conversation_id: str, agent: AgentDep, svc: ServicesDep) -> dict:
    """The client's account from the platform, for the agent who claimed the conversation
    (audited); `available: false` with a reason if it can't be had."""
    client_id = await svc.desk.client_of(agent, conversation_id)
    return await svc.client_account.for_client(client_id)


@routes.post("/conversations/{conversation_id}/claim", dependencies=[ConsoleHeader])
async def claim(conversation_id: str, agent: AgentDep, svc: ServicesDep) -> dict:
    return {"conversation": await svc.desk.claim(agent, conversation_id)}


@routes.post("/conversations/{conversation_id}/reply", dependencies=[ConsoleHeader])
async def reply(conversation_id: str, body: AgentText, agent: AgentDep,
                svc: ServicesDep) -> dict:
    return {"message": await svc.desk.reply(agent, conversation_id, _text(body))}


@routes.post("/conversations/{conversation_id}/notes", dependencies=[ConsoleHeader])
async def note(conversation_id: str, body: AgentText, agent: AgentDep, svc: ServicesDep) -> dict:
    return {"message": await svc.desk.note(agent, conversation_id, _text(body))}


@routes.post("/conversations/{conversation_id}/resolve", dependencies=[ConsoleHeader])
async def resolve(conversation_id: str, agent: AgentDep, svc: ServicesDep) -> dict:
    return {"conversation": await svc.desk.resolve(agent, conversation_id)}


@routes.post("/conversations/{conversation_id}/handback", dependencies=[ConsoleHeader])
async def handback(conversation_id: str, agent: AgentDep, svc: ServicesDep) -> dict:
    return {"conversation": await svc.desk.handback(agent, conversation_id)}


@routes.get("/events")
async def events(request: Request, agent: AgentDep, svc: ServicesDep):
    """Live queue lines (`conversation`) and messages (`message`) for this agent, until the
    session ends (logout, expiry)."""
    token = request.cookies.get(COOKIE, "")
    seconds_left = await svc.auth.seconds_left(token)
    if seconds_left is None:
        raise ApiError(401, "not_logged_in", "Log in to the console first.")

    async def while_logged_in() -> AsyncIterator[Event]:
        guard, stop = svc.auth.stream_guard(token, seconds_left)
        try:
            async for event in svc.desk.events(agent, guard):
                yield event
        finally:
            svc.auth.stream_ended(token, stop)

    return event_stream(while_logged_in())


def _text(body: AgentText) -> str:
    return message_text(body.text, MAX_MESSAGE_CHARS)

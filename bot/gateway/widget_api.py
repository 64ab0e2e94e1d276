"""The widget API (docs/gateway.md): start or resume a conversation, send, history, live events.

The HTTP edge of the widget channel (bot/channels/widget.py): it checks identity, limits and
input, then calls the adapter. Every later call is authenticated by the conversation key
(`Authorization: Bearer <key>`; the event stream, which `EventSource` can't give headers, takes
`?key=`): an unknown key, an expired one, or a signed-in one whose identity needs a fresh token
each get their own 401.

Limits (bot/gateway/throttle.py; per process, or shared by the workers through Redis:
bot/gateway/shared_limits.py): starting a conversation and sending a message count against the
client IP's `WIDGET_LIMIT_PER_IP` per minute; a message also against its conversation's
`WIDGET_LIMIT_PER_CONVERSATION`. Over → `429 too_many_requests` with `Retry-After`.
"""
from __future__ import annotations

import logging
from typing import Annotated

import jwt
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from bot.core.channel_seam import InboundMessage
from bot.core.conversations import KeyCheck, KeyState
from bot.gateway.errors import ApiError, message_text
from bot.gateway.schemas import MAX_MESSAGE_CHARS, MAX_SEQ, ClientMessage, StartConversation
from bot.gateway.services import Services, client_ip, services
from bot.gateway.sse import event_stream
from bot.gateway.throttle import retry_after_header
from bot.identity import InvalidIdentityToken, verify_identity_token

log = logging.getLogger("bot.gateway.widget")

routes = APIRouter(prefix="/widget/api", tags=["widget"])
ServicesDep = Annotated[Services, Depends(services)]


def _client_id(token: str | None, secret: str) -> str | None:
    """The verified client id; None without a token (signed out); 401 for a bad one."""
    if not token or not token.strip():
        return None
    try:
        return verify_identity_token(token.strip(), secret)
    except InvalidIdentityToken as exc:
        expired = isinstance(exc.__cause__, jwt.ExpiredSignatureError)
        log.info("identity token refused (%s)", "expired" if expired else "invalid")
        message = ("The sign-in for this chat has expired: reload the page to continue."
                   if expired else "The identity token is not valid: reload the page.")
        raise ApiError(401, "invalid_identity_token", message) from exc


BEARER = {"WWW-Authenticate": "Bearer"}


async def _check_key(svc: Services, key: str | None) -> KeyCheck:
    """The conversation the key opens now, or the 401 that says why it doesn't."""
    if not key or not key.strip():
        raise ApiError(401, "missing_conversation_key",
                       "Send the conversation key: 'Authorization: Bearer <conversation_key>'.",
                       headers=BEARER)
    check = await svc.widget.check_key(key.strip())
    if check.state == KeyState.UNKNOWN:
        raise ApiError(401, "invalid_conversation_key",
                       "The conversation key is not valid: start a new conversation.",
                       headers=BEARER)
    if check.state == KeyState.EXPIRED:
        raise ApiError(401, "conversation_key_expired",
                       f"This conversation key expired after {_hours(svc)} without use: start a "
                       "new conversation.", headers=BEARER)
    if check.state == KeyState.IDENTITY_STALE:
        raise ApiError(401, "identity_refresh_required",
                       f"The sign-in for this chat is older than {_hours(svc)}: start the "
                       "conversation again with a fresh identity token and this key.",
                       headers=BEARER)
    return check


def _hours(svc: Services) -> str:
    hours = svc.settings.widget_key_idle_hours
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


async def conversation_from_header(
        svc: ServicesDep,
        authorization: Annotated[str | None, Header()] = None) -> str:
    scheme, _, key = (authorization or "").partition(" ")
    check = await _check_key(svc, key if scheme.lower() == "bearer" else None)
    return str(check.conversation_id)


ConversationDep = Annotated[str, Depends(conversation_from_header)]


async def _limit_ip(request: Request, svc: ServicesDep) -> None:
    """A write counts against the client IP's limit (per minute)."""
    wait = await svc.widget_ip_limit.hit(client_ip(request))
    if wait:
        raise ApiError(429, "too_many_requests",
                       f"Too many requests from your network in a short time: wait "
                       f"{_seconds(wait)} and try again.", headers=retry_after_header(wait))


async def _limit_conversation(svc: Services, conversation_id: str) -> None:
    wait = await svc.widget_conversation_limit.hit(conversation_id)
    if wait:
        raise ApiError(429, "too_many_requests",
                       f"Too many messages in a short time: wait {_seconds(wait)} and try "
                       "again.", headers=retry_after_header(wait))


def _seconds(wait: float) -> str:
    seconds = int(retry_after_header(wait)["Retry-After"])
    return f"{seconds} second{'' if seconds == 1 else 's'}"


IpLimit = Depends(_limit_ip)


@routes.post("/conversations", dependencies=[IpLimit])
async def start_conversation(body: StartConversation, svc: ServicesDep) -> JSONResponse:
    """Resume the conversation of `conversation_key` for the same identity while the key works
    (a signed-in one with a valid token: the identity counts as verified again), or start one."""
    client_id = _client_id(body.identity_token, svc.settings.widget_token_secret)
    started = await svc.widget.start(client_id, body.conversation_key)
    return JSONResponse({
        "conversation_id": started.conversation_id,
        "conversation_key": started.conversation_key,
        "signed_in": started.signed_in,
        "mode": started.mode,
    }, status_code=200 if started.resumed else 201)


@routes.get("/messages")
async def history(conversation_id: ConversationDep, svc: ServicesDep,
                  after: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0) -> dict:
    return {"messages": await svc.widget.history(conversation_id, after)}


@routes.post("/messages", status_code=202, dependencies=[IpLimit])
async def send_message(body: ClientMessage, conversation_id: ConversationDep,
                       svc: ServicesDep) -> JSONResponse:
    """Store the message, answer 202 at once; the replies arrive on the event stream.

    A repeated `client_message_id` (a double submit) is stored and answered once: the repeat
    gets the first message back and nothing else happens.
    """
    inbound = _inbound(body)
    await _limit_conversation(svc, conversation_id)
    message = await svc.widget.send(conversation_id, inbound)
    return JSONResponse({"message": message}, status_code=202)  # a repeat: the same answer


def _inbound(body: ClientMessage) -> InboundMessage:
    if (body.text is None) == (body.payload is None):
        raise ApiError(422, "invalid_request",
                       "Send either 'text' (a typed message) or 'payload' (a pressed button).")
    if body.payload is not None:
        if not body.payload.strip():
            raise ApiError(422, "empty_message", "The button payload is empty.")
        return InboundMessage(payload=body.payload.strip(),
                              title=(body.title or "").strip() or None,
                              client_message_id=body.client_message_id)
    text = message_text(body.text or "", MAX_MESSAGE_CHARS,
                        " Please shorten it or send it in parts.")
    return InboundMessage(text=text, client_message_id=body.client_message_id)


@routes.get("/events")
async def events(svc: ServicesDep,
                 key: Annotated[str | None, Query(max_length=200)] = None,
                 after: Annotated[int | None, Query(ge=0, le=MAX_SEQ)] = None,
                 last_event_id: Annotated[str | None, Header(max_length=20)] = None,
                 authorization: Annotated[str | None, Header()] = None):
    """Live events; `Last-Event-ID` (a reconnect) or `after` replays the messages missed. The
    stream ends when the key stops working (expired, or the identity needs a fresh token).

    The key: `Authorization: Bearer <key>` where the caller can set headers, else `?key=` (a
    browser's EventSource can't)."""
    scheme, _, bearer = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and bearer.strip():
        key = bearer
    check = await _check_key(svc, key)
    if last_event_id is not None and last_event_id.strip():
        after = _last_event_id(last_event_id)
    return event_stream(svc.widget.events(str(check.conversation_id), after,
                                          key=(key or "").strip(),
                                          key_seconds_left=check.seconds_left))


def _last_event_id(value: str) -> int:
    """The header as a message seq (what this gateway sends as event ids), else 422."""
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_SEQ:
        raise ApiError(422, "invalid_request",
                       f"Header 'Last-Event-ID' must be a whole number from 0 to {MAX_SEQ}.")
    return int(value)

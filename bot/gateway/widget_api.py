"""The widget API (docs/gateway.md): start or resume a conversation, send, history, live events.

The HTTP edge of the widget channel (bot/channels/widget.py): it checks identity and input, then
calls the adapter. Every later call is
authenticated by the conversation key (`Authorization: Bearer <key>`; the event stream, which
`EventSource` can't give headers, takes `?key=`).
"""
from __future__ import annotations

import logging
from typing import Annotated

import jwt
from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse

from bot.core.channel_seam import InboundMessage
from bot.gateway.errors import ApiError, message_text
from bot.gateway.schemas import MAX_MESSAGE_CHARS, ClientMessage, StartConversation
from bot.gateway.services import Services, services
from bot.gateway.sse import event_stream
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


async def _conversation_id(svc: Services, key: str | None) -> str:
    if not key or not key.strip():
        raise ApiError(401, "missing_conversation_key",
                       "Send the conversation key: 'Authorization: Bearer <conversation_key>'.",
                       headers={"WWW-Authenticate": "Bearer"})
    conversation_id = await svc.widget.conversation_for_key(key.strip())
    if conversation_id is None:
        raise ApiError(401, "invalid_conversation_key",
                       "The conversation key is not valid: start a new conversation.",
                       headers={"WWW-Authenticate": "Bearer"})
    return conversation_id


async def conversation_from_header(
        svc: ServicesDep,
        authorization: Annotated[str | None, Header()] = None) -> str:
    scheme, _, key = (authorization or "").partition(" ")
    return await _conversation_id(svc, key if scheme.lower() == "bearer" else None)


ConversationDep = Annotated[str, Depends(conversation_from_header)]


@routes.post("/conversations")
async def start_conversation(body: StartConversation, svc: ServicesDep) -> JSONResponse:
    """Resume the conversation of `conversation_key` for the same identity, or start one."""
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
                  after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0) -> dict:
    return {"messages": await svc.widget.history(conversation_id, after)}


@routes.post("/messages", status_code=202)
async def send_message(body: ClientMessage, conversation_id: ConversationDep,
                       svc: ServicesDep) -> JSONResponse:
    """Store the message, answer 202 at once; the replies arrive on the event stream.

    A repeated `client_message_id` (a double submit) is stored and answered once: the repeat
    gets the first message back and nothing else happens.
    """
    message = await svc.widget.send(conversation_id, _inbound(body))
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
                 after: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
                 last_event_id: Annotated[str | None, Header(max_length=20)] = None):
    """Live events; `Last-Event-ID` (a reconnect) or `after` replays the messages missed."""
    conversation_id = await _conversation_id(svc, key)
    if last_event_id is not None and last_event_id.strip().isdigit():
        after = int(last_event_id.strip())
    return event_stream(svc.widget.events(conversation_id, after))

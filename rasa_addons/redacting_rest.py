"""Rasa's REST channel, for the gateway only, with the guards of message_guard.py applied before a
message reaches the tracker or the NLU.

- Only the gateway may post messages: `POST /webhooks/rest/webhook` needs the header
  `X-Webhook-Secret` with the channel's shared secret (credentials.yml: `secret`, from
  RASA_WEBHOOK_SECRET), else `401` and nothing reaches Rasa. The channel trusts
  `metadata.client_id`, so a caller without the secret (another program on this machine, or a
  web page doing a cross-origin POST) must not get that far. `GET /webhooks/rest/` (the
  channel's health) stays open.
- A message that speaks of risk becomes `/self_harm`, one with a card number
  `/card_number_shared` (the number is never stored, logged, classified or forwarded), and a very
  long message is cut to 2,000 characters for understanding (the gateway keeps the full text in
  its own transcript).

The channel keeps the name "rest", so its URL stays /webhooks/rest/webhook. A missing or short
secret stops Rasa at start with a sentence naming RASA_WEBHOOK_SECRET.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_addons.internal_auth import MIN_SECRET_LENGTH, WEBHOOK_SECRET_HEADER, matches
from rasa_addons.message_guard import guard_message


def webhook_secret(credentials: dict[str, Any] | None) -> str:
    """The channel's shared secret from credentials.yml, or a RasaException naming the fix."""
    secret = (credentials or {}).get("secret")
    if not isinstance(secret, str) or len(secret.strip()) < MIN_SECRET_LENGTH:
        raise RasaException(
            "The REST channel needs RASA_WEBHOOK_SECRET (credentials.yml: secret) of at least "
            f"{MIN_SECRET_LENGTH} characters, shared with the gateway; `make run` makes one. "
            "See .env.example.")
    return secret.strip()


class RedactingRestInput(RestInput):
    """REST input channel for the gateway: checks its secret, guards each message."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def __repr__(self) -> str:  # never the secret
        return "RedactingRestInput()"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RedactingRestInput:
        return cls(webhook_secret(credentials))

    def _extract_message(self, req: Request) -> str | None:
        return guard_message(super()._extract_message(req))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def only_the_gateway(request: Request) -> HTTPResponse | None:
            if request.method == "GET":
                return None  # the channel's health
            if matches(self._secret, request.headers.get(WEBHOOK_SECRET_HEADER)):
                return None
            return response.json({"error": {"code": "not_the_gateway", "message":
                                            "Only the gateway may post to this channel."}},
                                 status=401)

        return webhook

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

- A reply an action marked `private_only` (an account question in a shared chat: for the asker
  only) keeps the mark in the channel's answer: `{"recipient_id", "text", "private_only": true}`.
  Rasa's own collector drops every key it doesn't know; this one writes into it and adds the mark
  (the bot utterance's metadata in the tracker has it too).
- The answer says what the NLU made of the message, and whether a form goes on, in its
  `X-Turn-State` header (turn_state.py), so the gateway needn't read the tracker after each turn.

The channel keeps the name "rest", so its URL stays /webhooks/rest/webhook. A missing or short
secret stops Rasa at start with a sentence naming RASA_WEBHOOK_SECRET.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_addons.internal_auth import MIN_SECRET_LENGTH, WEBHOOK_SECRET_HEADER, matches
from rasa_addons.message_guard import guard_message
from rasa_addons.turn_state import HEADER as TURN_STATE_HEADER
from rasa_addons.turn_state import TurnCollector, current_collector

PRIVATE_ONLY = "private_only"


class PrivateOnlyCollector(TurnCollector):
    """The REST channel's collector, keeping the `private_only` mark of a reply (it writes into
    the collector's own list, which the channel returns), and handed the turn's tracker."""

    def __init__(self, into: CollectingOutputChannel) -> None:
        super().__init__()
        self.messages = into.messages

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        private_only = message.get(PRIVATE_ONLY) is True
        first = len(self.messages)
        await super().send_response(recipient_id, message)
        if private_only:
            for sent in self.messages[first:]:
                sent[PRIVATE_ONLY] = True


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
        async def keeping_marks(message: UserMessage) -> Any:
            if type(message.output_channel) is CollectingOutputChannel:
                message.output_channel = PrivateOnlyCollector(message.output_channel)
                current_collector.set(message.output_channel)
            return await on_new_message(message)

        webhook = super().blueprint(keeping_marks)

        @webhook.middleware("response")
        async def saying_the_turn_state(request: Request, answer: HTTPResponse) -> None:
            collector = current_collector.get()
            current_collector.set(None)  # a keep-alive connection's next request is another's
            state = collector.state_header() if collector is not None else None
            if state is not None:
                answer.headers[TURN_STATE_HEADER] = state

        @webhook.middleware("request")
        async def only_the_gateway(request: Request) -> HTTPResponse | None:
            current_collector.set(None)
            if request.method == "GET":
                return None  # the channel's health
            if matches(self._secret, request.headers.get(WEBHOOK_SECRET_HEADER)):
                return None
            return response.json({"error": {"code": "not_the_gateway", "message":
                                            "Only the gateway may post to this channel."}},
                                 status=401)

        return webhook

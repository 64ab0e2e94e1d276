"""Rasa's REST channel, with two guards applied before a message reaches the tracker or the NLU.

- A message containing a card number is replaced by the `/card_number_shared` intent, so the
  number is never stored, logged, classified or forwarded to the action server.
- A very long message is cut to MAX_MESSAGE_CHARS for understanding; the gateway keeps the
  full text in its own transcript.

The channel keeps the name "rest", so its URL stays /webhooks/rest/webhook.
"""
from __future__ import annotations

from rasa.core.channels.rest import RestInput
from sanic.request import Request

from rasa_addons.card_numbers import contains_card_number

CARD_NUMBER_INTENT = "/card_number_shared"
MAX_MESSAGE_CHARS = 2000


def guard_message(text: str | None) -> str | None:
    """The text Rasa may see for this user message."""
    if not isinstance(text, str):
        return text
    if contains_card_number(text):
        return CARD_NUMBER_INTENT
    return text[:MAX_MESSAGE_CHARS]


class RedactingRestInput(RestInput):
    """REST input channel that guards each message before Rasa handles it."""

    def _extract_message(self, req: Request) -> str | None:
        return guard_message(super()._extract_message(req))

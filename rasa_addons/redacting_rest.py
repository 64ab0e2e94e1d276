"""Rasa's REST channel, with the guards of message_guard.py applied before a message reaches the
tracker or the NLU: a message that speaks of risk becomes `/self_harm`, one with a card number
`/card_number_shared` (the number is never stored, logged, classified or forwarded), and a very
long message is cut to 2,000 characters for understanding (the gateway keeps the full text in its
own transcript).

The channel keeps the name "rest", so its URL stays /webhooks/rest/webhook.
"""
from __future__ import annotations

from rasa.core.channels.rest import RestInput
from sanic.request import Request

from rasa_addons.message_guard import guard_message


class RedactingRestInput(RestInput):
    """REST input channel that guards each message before Rasa handles it."""

    def _extract_message(self, req: Request) -> str | None:
        return guard_message(super()._extract_message(req))

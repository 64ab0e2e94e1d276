"""What Rasa may see of a user message: the guard our REST channel applies (redacting_rest.py).

    guard_message("I want to end it all ... (any length)")   -> "/self_harm"
    guard_message("my card is 4242.4242.4242.4242")          -> "/card_number_shared"
    guard_message("x" * 5000)                                -> the first 2,000 characters

- A message that speaks of risk (textguards.risk_phrases), read whole before anything is cut,
  becomes the `self_harm` intent: the safety reply comes first, whatever else the message says
  (a card number in it included, which then never reaches the tracker either).
- A message with a card number (textguards.card_numbers) becomes the `card_number_shared`
  intent, so the number is never stored, logged, classified or forwarded to the action server.
- Anything else is cut to MAX_MESSAGE_CHARS for understanding.

The gateway applies the same guards before it calls Rasa; this is the same check again, for
every other client of the REST channel (`make chat`, curl) and in case one is ever missed.
Plain Python: importable without Rasa, so our own tests can check it.
"""
from __future__ import annotations

from textguards.card_numbers import contains_card_number
from textguards.risk_phrases import is_risk

CARD_NUMBER_INTENT = "/card_number_shared"
SELF_HARM_INTENT = "/self_harm"
MAX_MESSAGE_CHARS = 2000


def guard_message(text: str | None) -> str | None:
    """The text Rasa may see for this user message."""
    if not isinstance(text, str):
        return text
    if is_risk(text):
        return SELF_HARM_INTENT
    if contains_card_number(text):
        return CARD_NUMBER_INTENT
    return text[:MAX_MESSAGE_CHARS]

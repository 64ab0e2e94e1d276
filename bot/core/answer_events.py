"""What the assistant understood of a message, for the team's report: said by our REST channel
with its answer (rasa_addons/turn_state.py), else read from Rasa's tracker after the turn;
recorded as an `answered` event with the intent and the help topic, and whether to ask "Did that
answer your question?".

Rasa keeps each user message's NLU result in the tracker (`parse_data`): the intent, and for a
help topic (the `faq` retrieval intent) the chosen response's key (`faq/adding_card`). The turn's
message is found by the gateway's message id in its metadata: among the tracker's events, or, in
the state without events (what the channel says, or the gateway asks for), as its
`latest_message`. A tracker that can't be read records the answer without an intent.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.rasa_replies import BotReplies

RETRIEVAL_INTENTS = frozenset({"faq"})
# Account questions whose answer is information (the gate's "Do you want...?" has buttons).
ACCOUNT_QUESTIONS = frozenset({"ask_credits", "ask_connections", "ask_upcoming_sessions",
                               "ask_invoices", "resend_invoice"})


@dataclass(frozen=True)
class Understood:
    intent: str | None = None
    topic: str | None = None
    in_form: bool = False


def understood(tracker: dict[str, Any], message_id: str) -> Understood:
    """The intent and help topic Rasa gave the gateway's message `message_id`, and whether a form
    is still going on after its turn."""
    loop = tracker.get("active_loop")
    in_form = isinstance(loop, dict) and bool(loop.get("name"))
    events = tracker.get("events")
    if isinstance(events, list):
        found = [e for e in events if isinstance(e, dict) and e.get("event") == "user"
                 and _message_id(e) == message_id]
        parse = found[-1].get("parse_data") if found else None
    else:  # the state without events: the latest message, if it is this one
        latest = tracker.get("latest_message")
        parse = latest if isinstance(latest, dict) and _message_id(latest) == message_id \
            else None
    if parse is None:
        return Understood(in_form=in_form)
    parse = parse if isinstance(parse, dict) else {}
    raw_intent = parse.get("intent")
    name = raw_intent.get("name") if isinstance(raw_intent, dict) else None
    intent = name if isinstance(name, str) and name else None
    return Understood(intent, _topic(parse, intent), in_form)


def _topic(parse: dict[str, Any], intent: str | None) -> str | None:
    if intent not in RETRIEVAL_INTENTS:
        return None
    selectors = parse.get("response_selector")
    if not isinstance(selectors, dict):
        return None
    for key in (intent, "default"):
        selector = selectors.get(key)
        response = selector.get("response") if isinstance(selector, dict) else None
        found = response.get("intent_response_key") if isinstance(response, dict) else None
        if isinstance(found, str) and found:
            return found[:100]
    return None


def _message_id(event: dict[str, Any]) -> object:
    metadata = event.get("metadata")
    return metadata.get("message_id") if isinstance(metadata, dict) else None


def offers_feedback(seen: Understood, replies: BotReplies, signed_in: bool) -> bool:
    """The rule: an answer to a help topic, or to an account question of a signed-in client (a
    signed-out one is told how to sign in), that asks nothing back (its last message has no
    buttons), outside a form, with no handoff."""
    if replies.handoff is not None or not replies.messages or seen.in_form:
        return False
    if replies.messages[-1].buttons:
        return False
    return (seen.intent in RETRIEVAL_INTENTS and seen.topic is not None) \
        or (signed_in and seen.intent in ACCOUNT_QUESTIONS)

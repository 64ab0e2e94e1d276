"""What the NLU made of the gateway's message, said in the REST channel's own answer.

After each turn the gateway records, for the team's report, the intent and help topic the NLU
gave the message, and whether a form is still going on (bot/core/answer_events.py). Rasa's REST
answer is only the bot's messages, so the gateway used to ask for the tracker afterwards, and
Rasa loaded the whole conversation from its tracker store again, on its one busy core, for a few
hundred bytes. The tracker is in memory during the turn: `install()` makes the processor's
`log_message` (Rasa 3.6.21) hand it to a `TurnCollector`, and the channel (redacting_rest.py)
sends its state in the answer's `X-Turn-State` header: JSON in the shape of
`GET /conversations/<id>/tracker?include_events=NONE`, with only what the gateway reads:

    {"latest_message": {"intent": {"name": "faq"},
                        "response_selector": {"faq": {"response":
                                                      {"intent_response_key": "faq/add_card"}}},
                        "metadata": {"message_id": "<the gateway's id>"}},
     "active_loop": {"name": "booking_form"}}

A Rasa without it (another version, a plain REST channel) sends no header; the gateway then reads
the tracker as before.
"""
from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

HEADER = "X-Turn-State"
_INSTALLED = "_hands_tracker_to_collector"
# The collector of the request being answered (the channel's handler and its response
# middleware run in one task, so the middleware sees what the handler set).
current_collector: ContextVar[TurnCollector | None] = ContextVar("turn_collector",
                                                                  default=None)


class TurnCollector(CollectingOutputChannel):
    """A REST collector that is also handed the turn's tracker (by the patched `log_message`)."""

    tracker: DialogueStateTracker | None = None

    def state_header(self) -> str | None:
        """The header's value, or None before the tracker came (the turn failed first)."""
        return None if self.tracker is None else json.dumps(turn_state(self.tracker))


def turn_state(tracker: DialogueStateTracker) -> dict[str, Any]:
    latest = tracker.latest_message
    parse: dict[str, Any] = dict(latest.parse_data) if latest is not None else {}
    raw_intent = parse.get("intent")
    intent: dict[str, Any] = raw_intent if isinstance(raw_intent, dict) else {}
    selectors = parse.get("response_selector")
    keys = {}
    if isinstance(selectors, dict):
        for name, selector in selectors.items():
            response = selector.get("response") if isinstance(selector, dict) else None
            key = response.get("intent_response_key") if isinstance(response, dict) else None
            if isinstance(key, str):
                keys[name] = {"response": {"intent_response_key": key}}
    metadata = latest.metadata if latest is not None and isinstance(latest.metadata, dict) else {}
    return {"latest_message": {"intent": {"name": intent.get("name")},
                               "response_selector": keys,
                               "metadata": {"message_id": metadata.get("message_id")}},
            "active_loop": {"name": tracker.active_loop_name}}


def install() -> None:
    """From now on, `MessageProcessor.log_message` hands the tracker it returns to the message's
    collector when that is a `TurnCollector` (idempotent)."""
    original = MessageProcessor.log_message
    if getattr(original, _INSTALLED, False):
        return

    async def log_message(self: MessageProcessor, message: UserMessage,
                          should_save_tracker: bool = True) -> DialogueStateTracker:
        tracker = await original(self, message, should_save_tracker)
        if isinstance(message.output_channel, TurnCollector):
            message.output_channel.tracker = tracker
        return tracker

    setattr(log_message, _INSTALLED, True)
    MessageProcessor.log_message = log_message

"""What Rasa answered, read: the messages to show, and a handoff request if an action made one.

An action's `{"handoff": {...}}` custom payload is never shown to the client: it asks the gateway
to queue the conversation; nor is `{"review": "fallback"}`: the message was missed, for the review
queue. An action's `{"activity": "Showed credits: 0 of 6 left"}` says what it did (its result, in
words): the gateway stores it as an internal activity line of the assistant, never shown to the
client, for the console's transcript and handover summary. Images and other custom data are
dropped; buttons need a title and a payload, both strings. A reply marked `"private_only": true`
(an action's answer for the asker only: an account question in a shared chat; our REST channel
keeps the mark, the tracker has it in the utterance's metadata) is stored so, and delivered with
the mark.

Rasa's tracker tells the same when the answer itself never arrived (a timeout, a gateway that
stopped mid-turn): `replies_in_tracker` finds a turn by the gateway's message id (sent in the
message's metadata) and gives its bot utterances as the REST channel would have;
`pausing_turn` reads a tracker that is paused, and what the turn that paused it said.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.handoff_states import HandoffRequest

PRIVATE_ONLY = "private_only"
ACTIVITY_CHARS = 200  # an action's activity line is cut to this


@dataclass(frozen=True)
class BotMessage:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    private_only: bool = False


@dataclass(frozen=True)
class BotReplies:
    messages: list[BotMessage]
    handoff: HandoffRequest | None = None
    # The answer was a miss (an action's `{"review": "fallback" | "out_of_scope"}`): the message
    # goes to the review queue (bot/core/review_queue.py).
    review: str | None = None
    # What the actions did, in words (internal activity lines, never shown to the client).
    activities: list[str] = field(default_factory=list)
    # Rasa's state after the turn, when its answer said it (rasa_client.RasaAnswer.state).
    state: dict[str, Any] | None = None

    @property
    def empty(self) -> bool:
        """Nothing for the client and nothing asked of the gateway: no answer at all."""
        return not self.messages and self.handoff is None


def read_replies(replies: list[dict[str, Any]],
                 state: dict[str, Any] | None = None) -> BotReplies:
    messages: list[BotMessage] = []
    activities: list[str] = []
    handoff = None
    review = None
    for reply in replies:
        custom = reply.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("review"), str):
            review = custom["review"]
        if isinstance(custom, dict) and "handoff" in custom:
            handoff = HandoffRequest.from_payload(custom["handoff"])
            continue
        if isinstance(custom, dict) and "activity" in custom:
            line = " ".join(str(custom["activity"]).split())[:ACTIVITY_CHARS]
            if line:
                activities.append(line)
            continue
        text, buttons = text_and_buttons(reply)
        if text or buttons:
            messages.append(BotMessage(text, buttons, reply.get(PRIVATE_ONLY) is True))
    return BotReplies(messages, handoff, review, activities, state)


def text_and_buttons(reply: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    """A Rasa reply's text and well-formed buttons."""
    raw_text = reply.get("text")
    text = raw_text if isinstance(raw_text, str) else ""
    buttons = [{"title": b["title"], "payload": b["payload"]}
               for b in reply.get("buttons") or []
               if isinstance(b, dict) and isinstance(b.get("title"), str)
               and isinstance(b.get("payload"), str)]
    return text, buttons


def replies_in_tracker(tracker: dict[str, Any], message_id: str) -> list[dict[str, Any]] | None:
    """The bot's replies to the gateway's message `message_id` (REST channel shape), or None if
    Rasa's tracker has no such user message (the turn hasn't happened, or hasn't finished: Rasa
    saves a turn's events when it has run)."""
    events = _events(tracker)
    found = [i for i, event in enumerate(events)
             if event.get("event") == "user" and _message_id(event) == message_id]
    if not found:
        return None
    return _utterances(events, found[-1] + 1, len(events))


def pausing_turn(tracker: dict[str, Any]) -> BotReplies | None:
    """None unless the tracker is paused; then what the turn that paused it said and asked (its
    handoff request, if an action made one)."""
    if tracker.get("paused") is not True:
        return None
    events = _events(tracker)
    pauses = [i for i, event in enumerate(events) if event.get("event") == "pause"]
    end = pauses[-1] if pauses else len(events)
    users = [i for i, event in enumerate(events[:end]) if event.get("event") == "user"]
    start = users[-1] + 1 if users else 0
    return read_replies(_utterances(events, start, end))


def _events(tracker: dict[str, Any]) -> list[dict[str, Any]]:
    events = tracker.get("events")
    return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []


def _message_id(event: dict[str, Any]) -> object:
    metadata = event.get("metadata")
    return metadata.get("message_id") if isinstance(metadata, dict) else None


def _utterances(events: list[dict[str, Any]], start: int, end: int) -> list[dict[str, Any]]:
    """The bot utterances in events[start:end], up to the next user message, as the REST channel
    sends them: text, buttons, custom."""
    replies: list[dict[str, Any]] = []
    for event in events[start:end]:
        if event.get("event") == "user":
            break
        if event.get("event") != "bot":
            continue
        raw = event.get("data")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        reply: dict[str, Any] = {"text": event.get("text")}
        for key in ("buttons", "custom"):
            if data.get(key):
                reply[key] = data[key]
        metadata = event.get("metadata")
        if isinstance(metadata, dict) and metadata.get(PRIVATE_ONLY) is True:
            reply[PRIVATE_ONLY] = True
        replies.append(reply)
    return replies

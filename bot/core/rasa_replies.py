"""What Rasa answered, read: the messages to show, and a handoff request if an action made one.

An action's `{"handoff": {...}}` custom payload is never shown to the client: it asks the gateway
to queue the conversation. Images and other custom data are dropped; buttons need a title and a
payload, both strings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.handoff_states import HandoffRequest


@dataclass(frozen=True)
class BotMessage:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class BotReplies:
    messages: list[BotMessage]
    handoff: HandoffRequest | None = None


def read_replies(replies: list[dict[str, Any]]) -> BotReplies:
    messages: list[BotMessage] = []
    handoff = None
    for reply in replies:
        custom = reply.get("custom")
        if isinstance(custom, dict) and "handoff" in custom:
            handoff = HandoffRequest.from_payload(custom["handoff"])
            continue
        text, buttons = text_and_buttons(reply)
        if text or buttons:
            messages.append(BotMessage(text, buttons))
    return BotReplies(messages, handoff)


def text_and_buttons(reply: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    """A Rasa reply's text and well-formed buttons."""
    raw_text = reply.get("text")
    text = raw_text if isinstance(raw_text, str) else ""
    buttons = [{"title": b["title"], "payload": b["payload"]}
               for b in reply.get("buttons") or []
               if isinstance(b, dict) and isinstance(b.get("title"), str)
               and isinstance(b.get("payload"), str)]
    return text, buttons

"""The JSON shapes of docs/gateway.md, built from store rows (inside their transaction)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.store.models import Agent, Conversation, Kind, Message, Mode, Sender, utc


def iso(value: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, to the millisecond."""
    moment = utc(value)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z") if moment else None


def message_json(message: Message, for_console: bool = False) -> dict[str, Any]:
    """A `Message`. The console's version also has the payload a pressed button sent."""
    data: dict[str, Any] = {
        "id": message.id,
        "seq": message.seq,
        "sender": message.sender.value,
        "kind": message.kind.value,
        "text": message.text,
        "buttons": [{"title": b["title"], "payload": b["payload"]} for b in message.buttons or []],
        "agent_name": message.agent.name if message.agent is not None else None,
        "client_message_id": message.client_message_id,
        "created_at": iso(message.created_at),
    }
    if message.private_only:  # for the asker only: Slack sends it as an ephemeral message
        data["private_only"] = True
    if for_console:
        data["payload"] = message.payload
    return data


def agent_name_of(conversation: Conversation) -> str | None:
    """Who the client is chatting with: the assignee's name while an agent has the conversation."""
    if conversation.mode != Mode.AGENT or conversation.assignee is None:
        return None
    return conversation.assignee.name


def agent_json(agent: Agent | None) -> dict[str, Any] | None:
    return {"id": agent.id, "name": agent.name} if agent is not None else None


PREVIEW_CHARS = 140


def preview(text: str | None) -> str | None:
    """The start of a message, on one line, for the queue."""
    if not text:
        return None
    line = " ".join(text.split())
    return line if len(line) <= PREVIEW_CHARS else line[: PREVIEW_CHARS - 1] + "…"


def queue_item_json(conversation: Conversation, last_message: str | None = None) -> dict[str, Any]:
    """One line of the console's queue: the state, where the client writes from, the linked
    client's name (Slack and Telegram), and the start of the client's last message (what the team
    needs to triage); no e-mail address."""
    return {
        "id": conversation.id,
        "channel": conversation.channel,
        "shared": conversation.shared,
        "mode": conversation.mode.value,
        "signed_in": conversation.client_id is not None,
        "client_name": conversation.client_name,
        "handoff_reason": conversation.handoff_reason,
        "priority": conversation.priority.value if conversation.priority else None,
        "waiting_since": iso(conversation.waiting_since),
        "assignee": agent_json(conversation.assignee),
        "last_seq": conversation.last_seq,
        "last_message": preview(last_message),
        "updated_at": iso(conversation.updated_at),
    }


def conversation_detail_json(conversation: Conversation, messages: list[Message]) -> dict[str, Any]:
    """The console's view of one conversation: the queue fields, the contact e-mail if the client
    left one (out of hours), and the whole transcript."""
    last = next((m.text for m in reversed(messages)
                 if m.sender == Sender.CLIENT and m.kind == Kind.TEXT), None)
    return {
        **queue_item_json(conversation, last),
        "client_id": conversation.client_id,
        "contact_email": conversation.contact_email,
        "messages": [message_json(m, for_console=True) for m in messages],
    }

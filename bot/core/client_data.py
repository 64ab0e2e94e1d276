"""A client's copy of their conversations (their right of access): every conversation of theirs
on every channel (widget, Slack, Telegram linked to them), each with the messages they could see,
as JSON and as readable text. Internal notes and activity lines of the team are never in it, nor
any other client's conversation (only rows with their verified `client_id`), nor a button's
payload (its title is what they pressed). The JSON's times are ISO 8601 in UTC; the readable
text gives them on the client's own clock, the zone named ("times in Paris time").
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.conversations import CLIENT_VISIBLE_KINDS
from bot.store.models import Conversation, Message, Sender, utc
from envsettings.zones import zone_name

WHO = {Sender.CLIENT: "you", Sender.BOT: "assistant", Sender.AGENT: "Customer Success team",
       Sender.SYSTEM: "system"}
CHANNELS = {"widget": "the chat on your dashboard", "slack": "Slack", "telegram": "Telegram"}


@dataclass(frozen=True)
class ClientExport:
    json_text: str
    readable: str
    conversations: int


def _iso(value: datetime | None) -> str:
    found = utc(value)
    return found.isoformat().replace("+00:00", "Z") if found is not None else ""


def export_for(session: Session, client_id: str, now: datetime,
               zone: tzinfo = UTC) -> ClientExport:
    conversations = list(session.scalars(
        select(Conversation).where(Conversation.client_id == client_id)
        .order_by(Conversation.created_at, Conversation.id)))
    documents: list[dict[str, Any]] = []
    for conversation in conversations:
        messages = session.scalars(
            select(Message).where(Message.conversation_id == conversation.id,
                                  Message.kind.in_(CLIENT_VISIBLE_KINDS))
            .order_by(Message.seq))
        documents.append({
            "conversation_id": conversation.id,
            "channel": conversation.channel,
            "started_at": _iso(conversation.created_at),
            "messages": [{"at": _iso(m.created_at), "from": WHO[m.sender],
                          "text": m.text} for m in messages],
        })
    document = {"client_id": client_id, "exported_at": _iso(now), "conversations": documents}
    return ClientExport(json.dumps(document, ensure_ascii=False, indent=2),
                        readable_text(document, zone), len(documents))


def _local(iso: str, zone: tzinfo) -> str:
    """'2026-11-30 21:03:55', an ISO time of the document on the client's clock."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(zone)
    return f"{moment:%Y-%m-%d %H:%M:%S}"


def readable_text(document: dict[str, Any], zone: tzinfo = UTC) -> str:
    title = (f"Your conversations with the Wellbeing Hub support assistant and team, as of "
             f"{_local(document['exported_at'], zone)} (times in {zone_name(zone)}).")
    lines = [title, ""]
    for number, conversation in enumerate(document["conversations"], start=1):
        where = CHANNELS.get(conversation["channel"], conversation["channel"])
        lines.append(f"Conversation {number}, on {where}, started "
                     f"{_local(conversation['started_at'], zone)}")
        lines.extend(f"  [{_local(message['at'], zone)}] {message['from']}: {message['text']}"
                     for message in conversation["messages"])
        lines.append("")
    if not document["conversations"]:
        lines.append("There are no conversations of yours.")
    return "\n".join(lines)

"""A short summary at the top of a handed-over conversation, built only from what the store
recorded (no model, nothing invented): what the client asked, what the assistant did (its actions'
activity lines: "Showed credits: 0 of 6 left", "Booking with Sara failed: no credits left"), and
why it handed over (the reason in words).

Everything up to the conversation's latest handoff counts; with none recorded, the whole
transcript.
"""
from __future__ import annotations

from typing import Any

from bot.core import texts
from bot.core.present import preview
from bot.store.models import Conversation, Kind, Message, Sender

MAX_ASKED = 3   # the client's latest typed messages before the handoff
MAX_DONE = 6    # the assistant's latest activity lines before the handoff
HANDOFF_LINE = texts.ACTIVITY_HANDOFF.split("{", 1)[0]  # "Handed to the team: "


def summarise(conversation: Conversation, messages: list[Message]) -> dict[str, Any]:
    """`{"asked": [str], "did": [str], "last_answer": str|null, "why": str|null}`."""
    handoffs = [i for i, m in enumerate(messages)
                if m.kind == Kind.ACTIVITY and m.sender == Sender.SYSTEM
                and m.text.startswith(HANDOFF_LINE)]
    before = messages[: handoffs[-1]] if handoffs else messages
    asked = [preview(m.text) or "" for m in before
             if m.sender == Sender.CLIENT and m.kind == Kind.TEXT and m.text.strip()]
    did = _without_repeats([m.text for m in before
                            if m.sender == Sender.BOT and m.kind == Kind.ACTIVITY])
    # The assistant's last answer before the turn that handed over (not its "passing you" line).
    clients = [i for i, m in enumerate(before) if m.sender == Sender.CLIENT]
    earlier = before[: clients[-1]] if clients else before
    last_answer = next((preview(m.text) for m in reversed(earlier)
                        if m.sender == Sender.BOT and m.kind == Kind.TEXT and m.text.strip()), None)
    if conversation.handoff_reason:
        why: str | None = texts.reason_words(conversation.handoff_reason)
    elif handoffs:  # handed back or resolved since: the reason as the handoff line said it
        why = messages[handoffs[-1]].text.removeprefix(HANDOFF_LINE).split(", priority")[0]
    else:
        why = None
    return {"asked": asked[-MAX_ASKED:], "did": did[-MAX_DONE:], "last_answer": last_answer,
            "why": why}


def _without_repeats(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not out or out[-1] != line:
            out.append(line)
    return out

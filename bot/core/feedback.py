"""The client's feedback, for the team's report: "That helped" / "I need more help" after an
answer, and a rating (1-5) after a conversation with the team ends.

The questions are ordinary messages with buttons, so every channel shows them as it shows any
buttons (the widget, Slack's Block Kit, Telegram's inline keyboard). Their payloads are the
gateway's own and never reach Rasa:

    /feedback{"ref": "<question>", "helped": true}     /rate{"ref": "<question>", "score": 4}

The client's next message right after the thanks for a rating is its optional comment (the
thanks asks for it); any later message is an ordinary one.

`ref` names the question: the same click twice (a double click, two devices) is recorded once and
answered once (bot/store/events.py). A click is stored in the transcript like any button press,
but it doesn't reopen a closed conversation and starts no turn.

When a question is asked (the rule, bot/core/bot_turn.py `offers_feedback`): after the assistant
answered a help topic or an account question with a reply that asks nothing back (no buttons),
outside a form, in a private chat, the conversation still with the assistant. The rating: when
an agent resolves the conversation or hands it back to the assistant.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.core import texts
from bot.core.data_requests import read_request
from bot.core.review_queue import MORE_HELP, send_to_review
from bot.core.unit_of_work import ChangeSet
from bot.store import conversations as store
from bot.store import events
from bot.store.models import Conversation, Kind, Message, Sender
from textguards.risk_phrases import might_be_risk

_PAYLOAD = re.compile(r"^/(feedback|rate)(\{.*\})$", re.DOTALL)
MAX_COMMENT_CHARS = 1000
RECENT = 10  # messages looked at for the thanks a comment answers


@dataclass(frozen=True)
class Click:
    """A pressed feedback button: `kind` events.FEEDBACK (value 1 helped, 0 more help) or
    events.RATING (value 1-5), for the question `ref`."""

    kind: str
    ref: str
    value: int


def read_click(payload: str | None) -> Click | None:
    """The feedback a payload carries, or None (not ours, or malformed)."""
    found = _PAYLOAD.match((payload or "").strip())
    if found is None:
        return None
    try:
        data = json.loads(found.group(2))
    except ValueError:
        return None
    ref = data.get("ref") if isinstance(data, dict) else None
    if not isinstance(ref, str) or not 0 < len(ref) <= 64:
        return None
    if found.group(1) == "feedback" and isinstance(data.get("helped"), bool):
        return Click(events.FEEDBACK, ref, int(data["helped"]))
    score = data.get("score")
    if found.group(1) == "rate" and type(score) is int and 1 <= score <= 5:
        return Click(events.RATING, ref, score)
    return None


def _payload(name: str, ref: str, **fields: object) -> str:
    return f"/{name}" + json.dumps({"ref": ref, **fields}, separators=(",", ":"))


def ask_if_it_helped(session: Session, changes: ChangeSet, conversation: Conversation) -> Message:
    ref = uuid.uuid4().hex[:12]
    buttons = [{"title": texts.FEEDBACK_HELPED, "payload": _payload("feedback", ref, helped=True)},
               {"title": texts.FEEDBACK_MORE_HELP,
                "payload": _payload("feedback", ref, helped=False)}]
    message = store.add_message(session, conversation, Sender.BOT, texts.FEEDBACK_QUESTION,
                                buttons=buttons)
    changes.message(conversation, message)
    return message


def ask_for_a_rating(session: Session, changes: ChangeSet, conversation: Conversation) -> Message:
    ref = uuid.uuid4().hex[:12]
    buttons = [{"title": str(score), "payload": _payload("rate", ref, score=score)}
               for score in range(1, 6)]
    message = store.add_message(session, conversation, Sender.BOT, texts.RATING_QUESTION,
                                buttons=buttons)
    changes.message(conversation, message)
    return message


def take_click(session: Session, changes: ChangeSet, conversation: Conversation,
               click: Click) -> bool:
    """Record the click and answer it; False (nothing recorded or said) if it was recorded
    before."""
    if events.record(session, conversation.id, click.kind, value=click.value,
                     ref=click.ref) is None:
        return False
    if click.kind == events.RATING:
        answer = store.add_message(session, conversation, Sender.BOT, texts.RATING_THANKS)
    elif click.value == 1:
        answer = store.add_message(session, conversation, Sender.BOT, texts.FEEDBACK_THANKS)
    else:  # "I need more help": the question it didn't answer goes to the team's review queue
        asked = question_answered(session, conversation, click.ref)
        if asked is not None:
            send_to_review(session, conversation.id, MORE_HELP, message_id=asked.id)
        answer = store.add_message(session, conversation, Sender.BOT, texts.MORE_HELP,
                                   buttons=[texts.HUMAN_BUTTON])
    changes.message(conversation, answer)
    return True


LOOK_BACK = 50  # messages searched for the question a feedback click is about


def question_answered(session: Session, conversation: Conversation, ref: str) -> Message | None:
    """The client's message that the answer asked about (by the click's `ref`) answered: the
    client's last message before that question. None if it is gone, or was a button press (a
    typed question is what the review queue needs)."""
    recent = store.latest_messages(session, conversation.id, LOOK_BACK)
    for index, message in enumerate(recent):
        if message.sender == Sender.BOT and any(
                ref in (button.get("payload") or "") for button in message.buttons or []):
            before = [m for m in recent[index + 1:] if m.sender == Sender.CLIENT]
            return before[0] if before and before[0].kind == Kind.TEXT else None
    return None


def expects_comment(session: Session, conversation: Conversation) -> bool:
    """The conversation's last message, but for repeated feedback clicks, is the thanks for a
    rating (which asks for a comment)."""
    for message in store.latest_messages(session, conversation.id, RECENT):
        if message.sender == Sender.CLIENT and read_click(message.payload) is not None:
            continue  # a double click on the rating: still right after the thanks
        return message.sender == Sender.BOT and message.text == texts.RATING_THANKS
    return False


QUESTION_START = re.compile(
    r"^\s*(how|what|when|where|who|why|which|can|could|do|does|did|is|are|am|will|would|should|"
    r"may|i need|i want|i'd like|please|help)\b", re.IGNORECASE)


def could_be_comment(text: str) -> bool:
    """Is this message, right after the rating's thanks, a comment on the conversation? Not when
    it asks something (a question, a request for their data) or might speak of risk: those get
    their turn as usual."""
    return not (text.rstrip().endswith("?") or QUESTION_START.match(text)
                or read_request(text) is not None or might_be_risk(text))


def take_comment(session: Session, changes: ChangeSet, conversation: Conversation,
                 comment: str) -> None:
    """The client's message right after a rating is its comment: kept with the rating (card
    details were removed before), thanked, and not sent to the assistant."""
    events.set_comment(session, conversation.id, comment.strip()[:MAX_COMMENT_CHARS])
    changes.message(conversation, store.add_message(session, conversation, Sender.BOT,
                                                    texts.COMMENT_THANKS))

"""What the assistant did not understand goes to the review queue (/console/review), scrubbed.

The gateway sends a client's typed message there when Rasa's answer to it was the fallback or
the out-of-scope answer (the actions mark such an answer with a `{"review": "<source>"}` custom
payload: bot/core/rasa_replies.py), and when its turn handed the conversation over as not
understood. Other parts call the hook, inside their own transaction:

    send_to_review(session, conversation_id, MORE_HELP)   # the client pressed "I need more help"

Without a `message_id` the conversation's latest typed client message is the one reviewed (for
"I need more help": the question the answer didn't help with). Card numbers (with the expiry and
security code next to them) and e-mail addresses never enter the queue; the same text (case and
spaces aside) is one item, counted each time it comes again.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.out_of_hours import EMAIL
from bot.store import conversations as store
from bot.store.models import Kind, Message, ReviewItem, Sender
from bot.store.review import add_item
from textguards.card_numbers import scrub_card_details

FALLBACK = "fallback"
OUT_OF_SCOPE = "out_of_scope"
MORE_HELP = "more_help"
NOT_UNDERSTOOD = "not_understood"
SOURCES = (FALLBACK, OUT_OF_SCOPE, MORE_HELP, NOT_UNDERSTOOD)
EMAIL_REMOVED = "[e-mail address removed]"


def scrub(text: str) -> str:
    """The text without card details or e-mail addresses."""
    return EMAIL.sub(EMAIL_REMOVED, scrub_card_details(text)).strip()


def send_to_review(session: Session, conversation_id: str, source: str,
                   message_id: str | None = None) -> ReviewItem | None:
    """Put the client's typed message in the review queue; None when there is none to put (a
    button press, an empty text, nothing typed yet)."""
    if source not in SOURCES:
        raise ValueError(f"unknown review source {source!r}")
    message = (store.get_message(session, message_id) if message_id is not None
               else _latest_typed(session, conversation_id))
    if message is None or message.sender != Sender.CLIENT or message.kind != Kind.TEXT:
        return None
    text = scrub(message.text)
    if not text:
        return None
    return add_item(session, text, source, message.conversation_id)


def _latest_typed(session: Session, conversation_id: str) -> Message | None:
    return session.scalars(
        select(Message).where(Message.conversation_id == conversation_id,
                              Message.sender == Sender.CLIENT, Message.kind == Kind.TEXT)
        .order_by(Message.seq.desc()).limit(1)).first()

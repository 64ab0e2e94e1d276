"""The review queue's hook (bot/core/review_queue.py) on a real store: what another part (the
"I need more help" button) calls to send the client's question for review."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.review_queue import MORE_HELP, scrub, send_to_review
from bot.store import conversations as store
from bot.store.models import Kind, ReviewItem, Sender


def test_scrub_removes_card_numbers_and_email_addresses():
    text = scrub("card 4111-1111-1111-1111 exp 12/29 cvc 123, mail me at a.b@example.co.uk ok")
    assert "4111" not in text and "a.b@example.co.uk" not in text and "123" not in text
    assert text.endswith("ok")


def test_more_help_reviews_the_clients_latest_typed_question(db):
    """Without a message id the latest typed client message is reviewed, not a button press
    nor the assistant's answer; once per text."""
    def work(session):
        conversation, _ = store.create_conversation(session, "widget", "c-anna")
        store.add_message(session, conversation, Sender.CLIENT, "why was I charged twice")
        store.add_message(session, conversation, Sender.BOT, "Here is how receipts work.")
        store.add_message(session, conversation, Sender.CLIENT, "I need more help",
                          kind=Kind.BUTTON_CLICK, payload="/more_help")
        first = send_to_review(session, conversation.id, MORE_HELP)
        again = send_to_review(session, conversation.id, MORE_HELP)
        return first is again, [(i.text, i.source, i.seen) for i in session.scalars(
            select(ReviewItem))]

    same, items = db.run_sync(work)
    assert same and items == [("why was I charged twice", "more_help", 2)]


def test_nothing_typed_nothing_reviewed(db):
    def work(session):
        conversation, _ = store.create_conversation(session, "widget", None)
        return send_to_review(session, conversation.id, MORE_HELP)

    assert db.run_sync(work) is None
    with pytest.raises(ValueError, match="unknown review source"):
        db.run_sync(lambda session: send_to_review(session, "x", "no_such_source"))

"""An erasure's store part (bot/core/erasure.py `erase_in_store`) on a real store: the messages
become one tombstone, and a rating's comment (the client's own words, kept for the team's report)
goes too while the score stays."""
from __future__ import annotations

from sqlalchemy import select

from bot.core.erasure import erase_in_store
from bot.core.review_queue import FALLBACK, send_to_review
from bot.store import conversations as store
from bot.store import events
from bot.store.models import ConversationEvent, Message, ReviewItem, Sender, now_utc


def test_an_erasure_forgets_the_rating_comment_and_keeps_the_score(db):
    def work(session):
        conversation, _ = store.create_conversation(session, "widget", "c-anna")
        store.add_message(session, conversation, Sender.CLIENT, "Sam was lovely, my burnout too")
        events.record(session, conversation.id, events.RATING, value=5, ref="r1")
        assert events.set_comment(session, conversation.id, "Sam was lovely, my burnout too")
        erase_in_store(session, [conversation.id], "asked", "client c-anna on widget", now_utc())
        texts = [m.text for m in session.scalars(
            select(Message).where(Message.conversation_id == conversation.id))]
        ratings = [(e.value, e.comment) for e in session.scalars(select(ConversationEvent))]
        return texts, ratings

    texts, ratings = db.run_sync(work)
    assert len(texts) == 1 and "burnout" not in texts[0]
    assert ratings == [(5, None)]


def test_an_erasure_takes_its_review_items_but_leaves_exported_examples_unlinked(db):
    def work(session):
        conversation, _ = store.create_conversation(session, "widget", "c-ben")
        for text in ("open blorp", "labelled blorp", "exported blorp"):
            store.add_message(session, conversation, Sender.CLIENT, text)
            send_to_review(session, conversation.id, FALLBACK)
        items = {i.text: i for i in session.scalars(select(ReviewItem))}
        items["labelled blorp"].status = "labelled"
        items["exported blorp"].status, items["exported blorp"].batch = "labelled", "b1"
        erase_in_store(session, [conversation.id], "asked", "client c-ben on widget", now_utc())
        return [(i.text, i.conversation_id) for i in session.scalars(select(ReviewItem))]

    assert db.run_sync(work) == [("exported blorp", None)]

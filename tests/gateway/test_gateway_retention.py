"""Retention at the gateway's start: a conversation whose last message is older than
RETENTION_MONTHS is erased before the gateway serves (bot/gateway/services.py, `prune`);
a recent one is kept; RETENTION_MONTHS=0 keeps everything."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.store import conversations as store
from bot.store.db import Database
from bot.store.migrate import upgrade_head
from bot.store.models import Conversation, Message, Sender, now_utc
from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.gateway import run_gateway
from tests.helpers.gateway_store import audit_rows


def seeded(database_url: str) -> tuple[str, str]:
    """An old conversation (last written 13 months ago) and a recent one."""
    db = Database.from_url(database_url)
    upgrade_head(db.engine)

    def work(session) -> tuple[str, str]:
        ids = []
        for text in ("an old question", "a recent question"):
            conversation, _ = store.create_conversation(session, "widget", "c-anna")
            store.add_message(session, conversation, Sender.CLIENT, text).routed = True
            ids.append(conversation.id)
        session.execute(update(Conversation).where(Conversation.id == ids[0])
                        .values(updated_at=now_utc() - timedelta(days=400)))
        return ids[0], ids[1]

    try:
        return db.run_sync(work)
    finally:
        db.dispose()


def texts(database_url: str, conversation_id: str) -> list[str]:
    db = Database.from_url(database_url)
    try:
        return db.run_sync(lambda session: list(session.scalars(
            select(Message.text).where(Message.conversation_id == conversation_id)
            .order_by(Message.seq))))
    finally:
        db.dispose()


@pytest.mark.parametrize(("months", "erased"), [("12", True), ("0", False)])
def test_old_conversations_are_erased_when_the_gateway_starts(fake_rasa: FakeRasa, tmp_path,
                                                              months, erased):
    database_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    old, recent = seeded(database_url)
    with run_gateway(tmp_path, fake_rasa.port, fake_rasa.shared, database_url=database_url,
                     env={"RETENTION_MONTHS": months}):
        pass
    if erased:
        assert len(texts(database_url, old)) == 1 and "limited time" in texts(database_url, old)[0]
        assert [row[1] for row in audit_rows(database_url) if row[0] == "erasure"] == [old]
    else:
        assert texts(database_url, old) == ["an old question"]
    assert texts(database_url, recent) == ["a recent question"]

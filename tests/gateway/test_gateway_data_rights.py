"""The client's data rights over HTTP, on SQLite and on PostgreSQL: a copy of their conversations
e-mailed through the real sandbox platform, erasure after a confirmation (the gateway's store and
Rasa's tracker store, written by Rasa's own SQLTrackerStore), retention by `make prune`, and the
audit log keeping that it happened, not what was said (bot/core/data_rights.py,
bot/core/erasure.py). Rasa is the recording fake: none of these messages may reach it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select, update

from bot.processes import ROOT
from bot.store import conversations as store
from bot.store.db import Database
from bot.store.models import Conversation, Kind, Message, Sender, now_utc
from platform_api import DEV_PLATFORM_API_KEY
from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.gateway import Gateway, Widget, run_gateway
from tests.helpers.gateway_store import audit_rows
from tests.helpers.postgres import BOTH_BACKENDS, require_postgres, temporary_schema
from tests.helpers.rasa_tracker_store import save_trackers, tracker_events
from tests.helpers.sandbox_server import run_sandbox

ANNA_EMAIL = "anna@northwind.example"
NOTE = "internal: anna sounded worried about money"
BEN_SECRET = "ben's own words about his therapist"


@dataclass
class Setup:
    gateway: Gateway
    sandbox: str
    tracker_url: str

    def outbox(self, to: str) -> list[dict]:
        response = requests.get(f"{self.sandbox}/api/v1/outbox", params={"to": to}, timeout=10,
                                headers={"Authorization": f"Bearer {DEV_PLATFORM_API_KEY}"})
        assert response.status_code == 200, response.text
        return response.json()["emails"]


@pytest.fixture(scope="module", params=BOTH_BACKENDS)
def setup(request, fake_rasa: FakeRasa, tmp_path_factory) -> Iterator[Setup]:
    folder = tmp_path_factory.mktemp(f"data-rights-{request.param}")
    with run_sandbox(f"sqlite:///{folder / 'sandbox.db'}", DEV_PLATFORM_API_KEY) as sandbox:
        port = urlsplit(sandbox).port
        if request.param == "sqlite":
            tracker_url = f"sqlite:///{folder / 'rasa-tracker.db'}"
            with run_gateway(folder, fake_rasa.port, fake_rasa.shared, sandbox_port=port,
                             env={"RASA_TRACKER_STORE_URL": tracker_url}) as gateway:
                yield Setup(gateway, sandbox, tracker_url)
            return
        require_postgres()
        with temporary_schema() as store_url, temporary_schema() as tracker_url, \
                run_gateway(folder, fake_rasa.port, fake_rasa.shared, sandbox_port=port,
                            database_url=store_url,
                            env={"RASA_TRACKER_STORE_URL": tracker_url}) as gateway:
            yield Setup(gateway, sandbox, tracker_url)


def other_channels(database_url: str) -> tuple[str, str]:
    """Anna's Telegram conversation (linked to her) with a note of the team, and Ben's chat."""
    db = Database.from_url(database_url)

    def work(session) -> tuple[str, str]:
        telegram, _ = store.create_conversation(session, "telegram", "c-anna",
                                                external_id=f"tg-{os.urandom(4).hex()}")
        store.add_message(session, telegram, Sender.CLIENT, "hello from telegram")
        store.add_message(session, telegram, Sender.BOT, "Hi Anna, how can I help?")
        store.add_message(session, telegram, Sender.AGENT, NOTE, kind=Kind.NOTE)
        ben, _ = store.create_conversation(session, "widget", "c-ben")
        store.add_message(session, ben, Sender.CLIENT, BEN_SECRET)
        return telegram.id, ben.id

    try:
        return db.run_sync(work)
    finally:
        db.dispose()


def stored_messages(database_url: str) -> dict[str, list[tuple[str, str]]]:
    """(sender, text) of every stored message (notes and activity too), by conversation."""
    db = Database.from_url(database_url)
    try:
        return db.run_sync(lambda session: _by_conversation(session.scalars(
            select(Message).order_by(Message.conversation_id, Message.seq))))
    finally:
        db.dispose()


def _by_conversation(messages) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for message in messages:
        found.setdefault(message.conversation_id, []).append((message.sender.value, message.text))
    return found


def answer(widget: Widget, text: str, containing: str = "") -> dict:
    return widget.wait_for_reply(after=widget.say(text)["seq"], containing=containing)


def test_a_copy_of_every_conversation_is_e_mailed_to_the_client(setup, fake_rasa):
    """Every conversation of hers on every channel, JSON and text, to her own address; never the
    team's notes nor another client's words; Rasa never sees the request."""
    widget = setup.gateway.widget(client_id="c-anna")
    answer(widget, "hello there")
    telegram_id, _ = other_channels(setup.gateway.database_url)
    reply = answer(widget, "could you email me a copy of my chat history please", "e-mailed")
    assert ANNA_EMAIL in reply["text"] and "2 conversations" in reply["text"]
    assert "could you email me" not in " ".join(fake_rasa.messages_of(widget.id))

    email = setup.outbox(ANNA_EMAIL)[0]
    files = {a["filename"]: a["content"] for a in email["attachments"]}
    assert set(files) == {"conversations.json", "conversations.txt"}
    document = json.loads(files["conversations.json"])
    assert document["client_id"] == "c-anna"
    by_id = {c["conversation_id"]: c for c in document["conversations"]}
    assert set(by_id) == {widget.id, telegram_id}
    assert by_id[telegram_id]["channel"] == "telegram"
    assert [m["text"] for m in by_id[telegram_id]["messages"]] == [
        "hello from telegram", "Hi Anna, how can I help?"]
    assert "hello there" in [m["text"] for m in by_id[widget.id]["messages"]]
    for content in files.values():
        assert NOTE not in content and BEN_SECRET not in content
    assert "hello from telegram" in files["conversations.txt"]
    # The readable copy gives times on her own clock (Atlantic/Reykjavik on the platform).
    assert "(times in Reykjavik time)" in files["conversations.txt"].splitlines()[0]


def test_signed_out_the_client_is_told_to_sign_in(setup, fake_rasa):
    widget = setup.gateway.widget()
    reply = answer(widget, "send me my chat history", "sign")
    assert "signed in" in reply["text"]
    assert fake_rasa.messages_of(widget.id) == []


def test_erasure_needs_the_confirmation_right_after_the_question(setup):
    """A bare *Yes* erases nothing; *Keep them* erases nothing."""
    widget = setup.gateway.widget(client_id="c-chloe")
    answer(widget, "hi")
    reply = widget.wait_for_reply(after=widget.press("/erase_my_conversations", "Yes")["seq"],
                                  containing="ask me")
    assert "confirm" in reply["text"]
    question = answer(widget, "please delete my chat history", "erase")
    assert [b["payload"] for b in question["buttons"]] == ["/erase_my_conversations",
                                                          "/keep_my_conversations"]
    widget.wait_for_reply(after=widget.press("/keep_my_conversations", "Keep them")["seq"],
                          containing="nothing was erased")
    assert any(m["text"] == "hi" for m in widget.history())


def test_erasure_removes_messages_and_rasa_trackers_and_audits_who_and_when(setup, fake_rasa):
    """After *Yes, erase them*: each conversation of hers keeps only a tombstone, their Rasa
    trackers are gone, Ben's are untouched; the audit log says an erasure happened and who
    asked, never what was said."""
    widget = setup.gateway.widget(client_id="c-anna")
    answer(widget, "my secret words")
    db = Database.from_url(setup.gateway.database_url)
    try:
        anna = db.run_sync(lambda session: [c.id for c in session.query(Conversation).filter(
            Conversation.client_id == "c-anna")])
        ben = db.run_sync(lambda session: [c.id for c in session.query(Conversation).filter(
            Conversation.client_id == "c-ben")])
    finally:
        db.dispose()
    save_trackers(setup.tracker_url, anna + ben)
    assert set(tracker_events(setup.tracker_url)) >= set(anna + ben)

    answer(widget, "erase all my conversations", "erase")
    done = widget.wait_for_reply(after=widget.press("/erase_my_conversations",
                                                    "Yes, erase them")["seq"],
                                 containing="Done")
    assert f"{len(anna)} conversations" in done["text"]
    history = widget.history()
    assert [m["sender"] for m in history] == ["system", "bot"]
    assert "erased" in history[0]["text"] and "client's request" in history[0]["text"]
    assert not any("secret" in m["text"] for m in history)

    events = tracker_events(setup.tracker_url)
    assert not set(events) & set(anna)
    assert all(events.get(b) for b in ben)

    erasures = [row for row in audit_rows(setup.gateway.database_url) if row[0] == "erasure"]
    assert {row[1] for row in erasures} == set(anna)
    stored = stored_messages(setup.gateway.database_url)  # every kind, notes too
    for conversation_id in anna:
        assert stored[conversation_id][0][0] == "system"
        assert not any(NOTE in text or "secret" in text for _, text in stored[conversation_id])
    assert (("client", BEN_SECRET) in stored[ben[0]])


def test_make_prune_erases_conversations_past_retention(setup):
    """`python -m bot.cli prune` (make prune): a conversation last written 13 months ago is erased
    with its tracker; a recent one is kept; running it again changes nothing."""
    old = setup.gateway.widget(client_id="c-dan")
    answer(old, "an old question")
    recent = setup.gateway.widget(client_id="c-dan")
    answer(recent, "a recent question")
    save_trackers(setup.tracker_url, [old.id, recent.id])
    db = Database.from_url(setup.gateway.database_url)
    try:
        db.run_sync(lambda session: session.execute(
            update(Conversation).where(Conversation.id == old.id)
            .values(updated_at=now_utc() - timedelta(days=400))))
    finally:
        db.dispose()

    env = dict(os.environ, GATEWAY_DATABASE_URL=setup.gateway.database_url,
               RASA_TRACKER_STORE_URL=setup.tracker_url, RETENTION_MONTHS="12")
    for expected in ("1 conversation erased", "no conversation erased"):
        result = subprocess.run([sys.executable, "-m", "bot.cli", "prune"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0 and expected in result.stdout, result.stdout + result.stderr

    assert [m["sender"] for m in old.history()] == ["system"]
    assert "limited time" in old.history()[0]["text"]
    assert "a recent question" in [m["text"] for m in recent.history()]
    events = tracker_events(setup.tracker_url)
    assert old.id not in events and events.get(recent.id)
    retention = [row for row in audit_rows(setup.gateway.database_url, old.id)
                 if row[0] == "erasure"]
    assert len(retention) == 1


def test_the_platform_api_documents_the_export_endpoint(setup):
    document = requests.get(f"{setup.sandbox}/openapi.json", timeout=10).json()
    operation = document["paths"]["/api/v1/clients/{client_id}/data-export"]["post"]
    assert "DataExportIn" in json.dumps(operation["requestBody"])
    assert Path(ROOT / "sandbox" / "routes" / "data_exports.py").is_file()

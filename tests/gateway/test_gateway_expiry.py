"""Credentials that expire: a widget's conversation key unused for too long (and a signed-in one
whose identity is too old) opens nothing; a live stream ends with its key or console session."""
from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests

from bot.identity import issue_identity_token
from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.gateway import WIDGET_SECRET, Gateway, Widget, run_gateway
from tests.helpers.gateway_store import age_conversation, conversation_row

DAY = timedelta(hours=24)
SHORT_HOURS = 0.0015  # 5.4 s: the key's idle time and the console session, in `short_gateway`
SHORT_SECONDS = SHORT_HOURS * 3600


@pytest.fixture(scope="module")
def short_gateway(fake_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[Gateway]:
    with run_gateway(tmp_path_factory.mktemp("short-gateway"), fake_rasa.port, fake_rasa.shared,
                     env={"WIDGET_KEY_IDLE_HOURS": str(SHORT_HOURS),
                          "CONSOLE_SESSION_HOURS": str(SHORT_HOURS)}) as gw:
        yield gw


def error_code(response: requests.Response) -> str:
    return response.json()["error"]["code"]


def test_a_key_unused_for_a_day_opens_nothing(gateway, fake_rasa):
    """History, sending and the stream all get 401 conversation_key_expired; nothing is stored."""
    widget = gateway.widget("c-ben")
    widget.wait_for_reply(widget.say("my private question")["seq"])
    age_conversation(gateway.database_url, widget.id, key_used=DAY + timedelta(minutes=1))
    stored = conversation_row(gateway.database_url, widget.id).last_seq

    read = widget.http.get(f"{gateway.url}/widget/api/messages", timeout=10)
    sent = widget.post({"text": "hello again"})
    with widget.events(after=0) as stream:
        pass
    for response_status, code in ((read.status_code, error_code(read)),
                                  (sent.status_code, error_code(sent))):
        assert (response_status, code) == (401, "conversation_key_expired")
    assert stream.status == 401 and "conversation_key_expired" in stream.body
    assert "my private question" not in read.text
    assert conversation_row(gateway.database_url, widget.id).last_seq == stored
    assert "24 hours" in read.json()["error"]["message"]


def test_an_expired_key_starts_a_new_conversation_without_the_old_one(gateway, fake_rasa):
    """The same identity token and the old key: a new conversation (201), a new key, and none
    of the old messages."""
    widget = gateway.widget("c-ben")
    widget.wait_for_reply(widget.say("my private question")["seq"])
    age_conversation(gateway.database_url, widget.id, key_used=DAY + timedelta(minutes=1))
    resumed = widget.resume()
    assert resumed.status_code == 201
    fresh = Widget(gateway.url, resumed.json(), widget.token)
    assert fresh.id != widget.id and fresh.key != widget.key
    assert fresh.history() == []


def test_a_key_in_use_keeps_working_and_is_marked_used(gateway):
    widget = gateway.widget(None)
    age_conversation(gateway.database_url, widget.id, key_used=DAY - timedelta(minutes=5))
    assert widget.history() == []
    used_at = conversation_row(gateway.database_url, widget.id).key_used_at
    assert abs(time.time() - used_at.timestamp()) < 60


def test_a_signed_out_key_expires_too(gateway):
    widget = gateway.widget(None)
    age_conversation(gateway.database_url, widget.id, key_used=DAY + timedelta(seconds=5))
    response = widget.http.get(f"{gateway.url}/widget/api/messages", timeout=10)
    assert (response.status_code, error_code(response)) == (401, "conversation_key_expired")


def test_a_signed_in_conversation_needs_a_fresh_identity_token_to_go_on(gateway, fake_rasa):
    """Its key in use but its identity a day old: 401 identity_refresh_required until it is
    resumed with a fresh token; then the same conversation goes on."""
    widget = gateway.widget("c-ben")
    widget.wait_for_reply(widget.say("before")["seq"])
    age_conversation(gateway.database_url, widget.id, key_used=timedelta(minutes=1),
                     identity_verified=DAY + timedelta(minutes=1))

    refused = widget.post({"text": "after"})
    assert (refused.status_code, error_code(refused)) == (401, "identity_refresh_required")
    old_token = issue_identity_token("c-ben", WIDGET_SECRET, lifetime=timedelta(seconds=-1))
    expired = requests.post(f"{gateway.url}/widget/api/conversations", timeout=10,
                            json={"identity_token": old_token, "conversation_key": widget.key})
    assert (expired.status_code, error_code(expired)) == (401, "invalid_identity_token")

    fresh = requests.post(f"{gateway.url}/widget/api/conversations", timeout=10,
                          json={"identity_token": issue_identity_token("c-ben", WIDGET_SECRET),
                                "conversation_key": widget.key})
    assert fresh.status_code == 200 and fresh.json()["conversation_id"] == widget.id
    sent = widget.say("after")
    assert [m["text"] for m in widget.history() if m["sender"] == "client"] == ["before", "after"]
    assert sent["seq"] > 1


def test_another_clients_fresh_token_does_not_renew_the_conversation(gateway):
    widget = gateway.widget("c-ben")
    age_conversation(gateway.database_url, widget.id, identity_verified=DAY + timedelta(hours=1))
    other = requests.post(f"{gateway.url}/widget/api/conversations", timeout=10,
                          json={"identity_token": issue_identity_token("c-anna", WIDGET_SECRET),
                                "conversation_key": widget.key})
    assert other.status_code == 201 and other.json()["conversation_id"] != widget.id
    response = widget.http.get(f"{gateway.url}/widget/api/messages", timeout=10)
    assert (response.status_code, error_code(response)) == (401, "identity_refresh_required")


def test_the_widget_stream_ends_when_its_key_expires(short_gateway):
    """An open stream is not a use of the key: it ends when the key expires."""
    widget = short_gateway.widget("c-ben")
    with widget.events() as stream:
        stream.wait_for(lambda e: e.name == "mode")
        assert not stream.ended(SHORT_SECONDS / 2)
        assert stream.ended(SHORT_SECONDS + 5)
    response = widget.http.get(f"{short_gateway.url}/widget/api/messages", timeout=10)
    assert error_code(response) == "conversation_key_expired"


def test_the_console_stream_ends_at_logout(gateway):
    console = gateway.console().login()
    with console.events() as stream:
        assert not stream.ended(0.5)
        assert console.post("/logout").status_code == 200
        assert stream.ended(3)
    with console.events() as again:
        assert again.status == 401


def test_the_console_stream_ends_when_the_session_expires(short_gateway):
    console = short_gateway.console().login()
    with console.events() as stream:
        assert not stream.ended(SHORT_SECONDS / 2)
        assert stream.ended(SHORT_SECONDS + 5)
    assert console.get("/me").status_code == 401

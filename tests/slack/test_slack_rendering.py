"""What the Slack delivery sends for each kind of message and place (the Web API call it queues),
how Slack's markup is read, long text split, and the settings that turn the channel on or off."""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.channels.slack import SlackDelivery, SlackPlace, SlackThreads, web_client
from bot.channels.slack_outbox import PendingCall, SlackCall, SlackOutbox
from bot.channels.slack_text import SECTION_CHARS, blocks_for, escape, plain_text, split_text
from bot.config import SettingsError, load_gateway_settings, load_slack_settings
from bot.core.channel_seam import ChannelAddress
from bot.gateway.services import Services
from bot.processes import ROOT
from platform_api import load_platform_client_settings
from tests.helpers.fake_slack import BOT_TOKEN, SIGNING_SECRET, run_fake_slack

SECRETS = {"RASA_TOKEN": "a-real-rasa-api-secret-0123456789abcdef",
           "RASA_WEBHOOK_SECRET": "a-real-webhook-secret-0123456789abcdef",
           "WIDGET_TOKEN_SECRET": "a-real-widget-secret-0123456789abcdef",
           "DEMO_AGENT_PASSWORD": "a-real-password"}
SLACK = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}


class Recorded(SlackOutbox):
    """The real outbox's queue, read instead of sent (what `deliver` decided)."""

    def __init__(self) -> None:
        self.queued: list[tuple[str, PendingCall]] = []

    def put(self, conversation_id: str, call: PendingCall) -> None:
        self.queued.append((conversation_id, call))


def delivered(message: dict, external_id: str, thread: str | None = None) -> list[SlackCall]:
    async def scenario() -> list[SlackCall]:
        outbox, threads = Recorded(), SlackThreads()
        if thread is not None:
            await threads.remember(external_id, thread)
        SlackDelivery(outbox, threads).deliver(ChannelAddress("c1", "slack", external_id),
                                               message)
        return [await call() for _, call in outbox.queued]

    return asyncio.run(scenario())


def sending(call: SlackCall) -> PendingCall:
    async def make() -> SlackCall:
        return call

    return make


def bot(text: str, **extra: object) -> dict:
    return {"sender": "bot", "kind": "text", "text": text, "buttons": [], **extra}


def test_a_dm_gets_a_plain_message():
    [call] = delivered(bot("Hello"), "T1:D1")
    assert call.method == "chat.postMessage"
    assert call.arguments["channel"] == "D1"
    assert "thread_ts" not in call.arguments
    assert "blocks" not in call.arguments


def test_a_shared_conversation_answers_in_its_thread():
    [call] = delivered(bot("Hello"), "T1:C1:U1", thread="111.222")
    assert (call.method, call.arguments["channel"], call.arguments["thread_ts"]) == (
        "chat.postMessage", "C1", "111.222")


def test_a_private_only_answer_in_a_shared_channel_goes_to_the_asker_alone():
    [call] = delivered(bot("You have 4 credits", private_only=True), "T1:C1:U1",
                       thread="111.222")
    assert call.method == "chat.postEphemeral"
    assert (call.arguments["channel"], call.arguments["user"], call.arguments["thread_ts"]) == (
        "C1", "U1", "111.222")


def test_private_only_in_a_dm_is_an_ordinary_message():
    [call] = delivered(bot("You have 4 credits", private_only=True), "T1:D1")
    assert call.method == "chat.postMessage"


def test_a_shared_conversation_whose_thread_is_unknown_never_writes_into_the_channel():
    """After a restart the thread is forgotten: the asker alone sees the reply."""
    [call] = delivered(bot("An agent's answer"), "T1:C1:U1")
    assert call.method == "chat.postEphemeral"
    assert call.arguments["user"] == "U1"


def test_the_clients_own_message_is_not_sent_back():
    assert delivered({"sender": "client", "kind": "text", "text": "hi", "buttons": []},
                     "T1:D1") == []


def test_an_agents_reply_carries_their_name():
    [call] = delivered({"sender": "agent", "kind": "text", "text": "Hi <there>",
                        "agent_name": "Sam & Co", "buttons": []}, "T1:D1")
    assert call.arguments["text"] == "*Sam &amp; Co* (Customer Success):\nHi &lt;there&gt;"


def test_a_conversation_id_that_is_not_slacks_is_logged_and_dropped(caplog):
    with caplog.at_level(logging.WARNING, logger="bot.channels.slack"):
        assert delivered(bot("Hello"), "not-a-slack-id") == []
    assert "no Slack place" in caplog.text
    assert "Hello" not in caplog.text


def test_places_read_back_from_their_external_ids():
    assert SlackPlace.parse("T1:D1") == SlackPlace("T1", "D1", None)
    assert SlackPlace.parse("T1:C1:U1").shared
    assert SlackPlace.parse("T1:C1:U1").external_id == "T1:C1:U1"


def test_buttons_become_one_actions_block_and_long_text_several_sections():
    text = "A sentence. " * 600  # 7,200 characters
    blocks = blocks_for(text, [{"title": "x" * 100, "payload": "/a"},
                               {"title": "Empty payload", "payload": ""}])
    assert blocks is not None
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) == 3
    assert all(len(b["text"]["text"]) <= SECTION_CHARS for b in sections)
    [actions] = [b for b in blocks if b["type"] == "actions"]
    [button] = actions["elements"]
    assert len(button["text"]["text"]) == 75
    assert button["text"]["text"].endswith("…")
    assert button["value"] == "/a"
    assert blocks_for("no buttons", []) is None


def test_split_text_cuts_at_sentence_or_line_ends_and_loses_nothing():
    text = ("First line.\n" + "word " * 700 + "End. Next sentence here.")
    pieces = split_text(text, 1000)
    assert all(len(p) <= 1000 for p in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())
    assert pieces[0] == "First line." or pieces[0].endswith(("word", "."))


def test_escape_and_plain_text():
    assert escape("a & <b> > c") == "a &amp; &lt;b&gt; &gt; c"
    assert plain_text("<@UBOT> hi <@U2|anna> see <https://x.example|the page> "
                      "<https://y.example> <#C1|general> <!here> a &amp;&lt;b&gt;",
                      bot_user_id="UBOT") == (
        "hi @anna see the page https://y.example #general @here a &<b>")
    assert plain_text("<@UBOT>", bot_user_id="UBOT") == ""


def test_slack_is_off_without_a_bot_token_and_says_so_once(tmp_path: Path, caplog):
    env = {**SECRETS, "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}"}
    settings = load_gateway_settings(env)
    assert settings.slack is None
    with caplog.at_level(logging.INFO, logger="bot.gateway.services"):
        services = Services.build(settings, load_platform_client_settings({}))
    try:
        lines = [r.getMessage() for r in caplog.records if "Slack" in r.getMessage()]
        assert len(lines) == 1
        assert lines[0].startswith("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
        assert services.slack is None
    finally:
        services.db.dispose()


def test_slack_settings_modes_and_mistakes():
    http = load_slack_settings(SLACK)
    assert http is not None
    assert not http.socket_mode
    assert http.api_url == "https://slack.com/api/"
    socket = load_slack_settings({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xapp-1-abc"})
    assert socket is not None
    assert socket.socket_mode
    assert BOT_TOKEN not in repr(socket)
    assert load_slack_settings({**SLACK, "SLACK_API_URL": "http://127.0.0.1:9/api"}
                               ).api_url == "http://127.0.0.1:9/api/"
    for env, name in [({"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
                      ({**SLACK, "SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
                      ({**SLACK, "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
                      ({**SLACK, "SLACK_API_URL": "slack.com"}, "SLACK_API_URL")]:
        with pytest.raises(SettingsError, match=name):
            load_slack_settings(env)


def test_the_example_env_documents_every_slack_setting():
    example = (ROOT / ".env.example").read_text()
    for name in ("SLACK_BOT_TOKEN=", "SLACK_SIGNING_SECRET=", "SLACK_APP_TOKEN=",
                 "SLACK_API_URL="):
        assert name in example


def test_the_outbox_gives_up_after_its_attempts_and_logs_no_text(caplog):
    """Slack unreachable: tried `attempts` times, then a log line with the method and reason."""
    async def scenario() -> None:
        with run_fake_slack() as slack:
            settings = load_slack_settings({**SLACK, "SLACK_API_URL": slack.api_url})
            assert settings is not None
            outbox = SlackOutbox(web_client(settings), attempts=2, first_pause=0.05)
            slack.fail_next["chat.postMessage"] = ["service_unavailable"] * 2
            outbox.put("c1", sending(SlackCall("chat.postMessage", {"channel": "D1",
                                                                    "text": "secret words"})))
            outbox.put("c1", sending(SlackCall("chat.postMessage", {"channel": "D1",
                                                                    "text": "next"})))
            await outbox.close(grace=10)
            assert [c.arguments["text"] for c in slack.called("chat.postMessage")] == [
                "secret words", "secret words", "next"]

    with caplog.at_level(logging.WARNING, logger="bot.channels.slack"):
        asyncio.run(scenario())
    assert "given up" in caplog.text
    assert "secret words" not in caplog.text
    assert BOT_TOKEN not in caplog.text


"""Slack through the real gateway process: signed events and button presses posted to its
/slack/events, replies read from the fake Slack Web API its slack_sdk client talks to, and the
gateway's store read to see what was (not) kept. Rasa is the fake one (tests/helpers/fake_rasa.py).
"""
from __future__ import annotations

import json
import time

from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.fake_slack import (
    BOT_ID,
    BOT_USER,
    TEAM,
    FakeSlack,
    SlackEvents,
    new_event_id,
    new_ts,
)
from tests.helpers.gateway import Gateway
from tests.slack.conftest import message_count, slack_messages

BUTTONS = [{"text": "What would you like to do?",
            "buttons": [{"title": "Book a session", "payload": "/book_session"},
                        {"title": "Check <my> credits & invoices", "payload": "/check_credits"}]}]


def texts(gateway: Gateway, external_id: str) -> list[tuple[str, str]]:
    return [(m.sender.value, m.text) for m in slack_messages(gateway.database_url, external_id)]


def test_a_direct_message_is_answered_plainly_in_the_dm(events: SlackEvents,
                                                        fake_slack: FakeSlack,
                                                        slack_gateway: Gateway) -> None:
    before = len(fake_slack.posts())
    response = events.dm("UDM1", "hello there")
    assert response.status_code == 200, response.text
    sent = fake_slack.wait_for_text("echo: hello there", after=before)
    assert sent.method == "chat.postMessage"
    assert sent.arguments["channel"] == "DUDM1"
    assert "thread_ts" not in sent.arguments
    assert texts(slack_gateway, f"{TEAM}:DUDM1") == [("client", "hello there"),
                                                     ("bot", "echo: hello there")]


def test_a_retry_of_the_same_event_is_processed_once(events: SlackEvents, fake_slack: FakeSlack,
                                                     fake_rasa: FakeRasa,
                                                     slack_gateway: Gateway) -> None:
    event_id = new_event_id()
    ts = new_ts()
    event = {"type": "message", "channel_type": "im", "channel": "DURETRY", "user": "URETRY",
             "text": "only once please", "ts": ts, "team": TEAM}
    before = len(fake_slack.posts())
    assert events.event(event, event_id=event_id).status_code == 200
    fake_slack.wait_for_text("echo: only once please", after=before)
    for retry in (1, 2):
        assert events.event(event, event_id=event_id, retry=retry).status_code == 200
    sends = fake_slack.settle()[before:]
    assert [c.arguments["text"] for c in sends] == ["echo: only once please"]
    assert texts(slack_gateway, f"{TEAM}:DURETRY") == [("client", "only once please"),
                                                       ("bot", "echo: only once please")]
    assert [m["message"] for m in fake_rasa.messages].count("only once please") == 1


def test_forged_stale_or_unsigned_requests_get_401_and_nothing_is_stored(
        events: SlackEvents, fake_slack: FakeSlack, slack_gateway: Gateway) -> None:
    stored, sends = message_count(slack_gateway.database_url), len(fake_slack.posts())
    forged = SlackEvents(slack_gateway.url, secret="not-the-signing-secret-0123456789")
    assert forged.dm("UFORGED", "forged hello").status_code == 401
    stale = int(time.time()) - 6 * 60  # Slack's window is five minutes
    assert events.dm("UFORGED", "stale hello", timestamp=stale).status_code == 401
    assert events.dm("UFORGED", "bad hello", signature="v0=" + "0" * 64).status_code == 401
    assert events.post(json.dumps({"type": "event_callback"}), "application/json",
                       signature="").status_code == 401
    time.sleep(1.0)
    assert message_count(slack_gateway.database_url) == stored
    assert len(fake_slack.posts()) == sends


def test_the_url_check_is_answered(events: SlackEvents) -> None:
    response = events.post(json.dumps({"type": "url_verification", "challenge": "c-123",
                                       "token": "unused"}), "application/json")
    assert response.status_code == 200
    assert "c-123" in response.text


def test_own_and_other_bots_messages_and_subtypes_are_ignored(
        events: SlackEvents, fake_slack: FakeSlack, fake_rasa: FakeRasa,
        slack_gateway: Gateway) -> None:
    stored, sends, calls = (message_count(slack_gateway.database_url), len(fake_slack.posts()),
                            len(fake_rasa.messages))
    base = {"type": "message", "channel_type": "im", "channel": "DUBOTS", "team": TEAM}
    ignored = [
        {**base, "user": BOT_USER, "bot_id": BOT_ID, "text": "our own reply", "ts": new_ts()},
        {**base, "user": "UOTHERBOT", "bot_id": "BOTHER", "text": "another bot", "ts": new_ts()},
        {**base, "subtype": "bot_message", "bot_id": "BOTHER", "text": "a bot", "ts": new_ts()},
        {**base, "subtype": "message_changed", "ts": new_ts(),
         "message": {"user": "UBOTS", "text": "edited"}},
        {**base, "subtype": "message_deleted", "ts": new_ts(), "deleted_ts": new_ts()},
        {**base, "channel_type": "channel", "channel": "CGENERAL", "subtype": "channel_join",
         "user": "UBOTS", "text": "<@UBOTS> has joined the channel", "ts": new_ts()},
        {**base, "channel_type": "channel", "channel": "CGENERAL", "user": "UBOTS",
         "text": "talking among ourselves", "ts": new_ts()},
        {"type": "app_mention", "channel": "CGENERAL", "user": "UOTHERBOT", "bot_id": "BOTHER",
         "text": f"<@{BOT_USER}> hi from a bot", "ts": new_ts(), "team": TEAM},
    ]
    for event in ignored:
        assert events.event(event).status_code == 200
    time.sleep(1.5)
    assert message_count(slack_gateway.database_url) == stored
    assert len(fake_slack.posts()) == sends
    assert len(fake_rasa.messages) == calls


def test_a_mention_is_answered_in_the_thread_of_the_users_message(
        events: SlackEvents, fake_slack: FakeSlack, slack_gateway: Gateway) -> None:
    before = len(fake_slack.posts())
    ts = new_ts()
    assert events.mention("UMENTION", "what are your opening hours?", channel="CTEAM",
                          ts=ts).status_code == 200
    sent = fake_slack.wait_for_text("echo: what are your opening hours?", after=before)
    assert sent.method == "chat.postMessage"
    assert sent.arguments["channel"] == "CTEAM"
    assert sent.arguments["thread_ts"] == ts
    # the bot's mention is not part of what the core got; the conversation is the member's own
    assert texts(slack_gateway, f"{TEAM}:CTEAM:UMENTION")[0] == (
        "client", "what are your opening hours?")

    # a mention inside a thread: the reply stays in that thread
    thread, before = new_ts(), len(fake_slack.posts())
    assert events.mention("UMENTION", "and on Fridays?", channel="CTEAM",
                          thread_ts=thread).status_code == 200
    sent = fake_slack.wait_for_text("echo: and on Fridays?", after=before)
    assert sent.arguments["thread_ts"] == thread
    # another member in the same channel has a conversation of their own
    assert events.mention("UOTHER", "hi", channel="CTEAM").status_code == 200
    fake_slack.wait_for_text("echo: hi", after=before)
    assert texts(slack_gateway, f"{TEAM}:CTEAM:UOTHER") == [("client", "hi"),
                                                            ("bot", "echo: hi")]


def test_text_is_escaped_for_mrkdwn_and_slack_markup_read_as_plain_text(
        events: SlackEvents, fake_slack: FakeSlack, fake_rasa: FakeRasa,
        slack_gateway: Gateway) -> None:
    fake_rasa.replies["a & b"] = [{"text": "Fish & chips <b>bold</b> <!channel> <@U999> > 3"}]
    before = len(fake_slack.posts())
    assert events.dm("UESC", "a &amp; b").status_code == 200
    sent = fake_slack.wait_for_text("Fish", after=before)
    assert sent.arguments["text"] == ("Fish &amp; chips &lt;b&gt;bold&lt;/b&gt; &lt;!channel&gt; "
                                      "&lt;@U999&gt; &gt; 3")
    # what the user typed reaches the core as they typed it: links as their text, no escapes
    assert events.dm("UESC", "write to <mailto:anna@example.com|anna@example.com> &lt;soon&gt;"
                     ).status_code == 200
    fake_slack.wait_for_text("echo: write to anna@example.com &lt;soon&gt;", after=before)
    assert ("client", "write to anna@example.com <soon>") in texts(slack_gateway, f"{TEAM}:DUESC")


def test_buttons_become_block_kit_and_a_press_sends_the_payload(
        events: SlackEvents, fake_slack: FakeSlack, fake_rasa: FakeRasa,
        slack_gateway: Gateway) -> None:
    fake_rasa.replies["menu please"] = BUTTONS
    before = len(fake_slack.posts())
    assert events.dm("UBUTTON", "menu please").status_code == 200
    sent = fake_slack.wait_for_text("What would you like to do?", after=before)
    section, actions = sent.arguments["blocks"]
    assert section == {"type": "section",
                       "text": {"type": "mrkdwn", "text": "What would you like to do?"}}
    assert [(b["text"]["text"], b["value"]) for b in actions["elements"]] == [
        ("Book a session", "/book_session"),
        ("Check <my> credits & invoices", "/check_credits")]  # plain_text: not escaped

    started = time.monotonic()
    response = events.press("UBUTTON", sent, index=1)
    assert response.status_code == 200, response.text
    assert time.monotonic() - started < 3.0  # acknowledged within Slack's 3 seconds
    fake_slack.wait_for_text("echo: /check_credits", after=before)
    clicks = [m for m in slack_messages(slack_gateway.database_url, f"{TEAM}:DUBUTTON")
              if m.kind.value == "button_click"]
    assert [(c.text, c.payload) for c in clicks] == [("Check <my> credits & invoices",
                                                      "/check_credits")]
    # the pressed message keeps its words; its buttons give way to the choice made
    update = fake_slack.wait_for_call("chat.update",
                                      lambda c: c.arguments.get("channel") == "DUBUTTON")
    assert update.arguments["ts"] == sent.result["ts"]  # the message pressed
    assert update.arguments["text"] == sent.arguments["text"]
    assert update.arguments["blocks"] == [section, {"type": "context", "elements": [
        {"type": "plain_text", "text": "\u2713 You chose: Check <my> credits & invoices",
         "emoji": True}]}]


def test_a_button_pressed_in_a_channel_thread_answers_in_that_thread(
        events: SlackEvents, fake_slack: FakeSlack, fake_rasa: FakeRasa) -> None:
    fake_rasa.replies["menu in channel"] = BUTTONS
    ts, before = new_ts(), len(fake_slack.posts())
    assert events.mention("UCHBUTTON", "menu in channel", channel="CTEAM", ts=ts).status_code == 200
    sent = fake_slack.wait_for_text("What would you like to do?", after=before)
    assert sent.arguments["thread_ts"] == ts
    assert events.press("UCHBUTTON", sent, index=0).status_code == 200
    reply = fake_slack.wait_for_text("echo: /book_session", after=before)
    assert (reply.method, reply.arguments["channel"], reply.arguments["thread_ts"]) == (
        "chat.postMessage", "CTEAM", ts)
    fake_slack.settle()
    assert not [c for c in fake_slack.called("chat.update")
                if c.arguments.get("channel") == "CTEAM"]  # others read along: buttons stay


def test_replies_go_out_in_order_through_rate_limits_and_slack_errors(
        events: SlackEvents, fake_slack: FakeSlack, fake_rasa: FakeRasa) -> None:
    fake_rasa.replies["three things"] = [{"text": "one"}, {"text": "two"}, {"text": "three"}]
    fake_slack.fail_next["chat.postMessage"] = [429, 500, "internal_error"]
    before = len(fake_slack.called("chat.postMessage"))
    assert events.dm("UORDER", "three things").status_code == 200
    fake_slack.wait_for_text("three", timeout=30)
    delivered = [c.arguments["text"] for c in fake_slack.settle()
                 if c.arguments.get("channel") == "DUORDER"]
    # every failed attempt was recorded too; each text is delivered in order
    assert delivered[-3:] == ["one", "two", "three"]
    assert len(fake_slack.called("chat.postMessage")) - before == 6


def test_a_call_slack_refuses_is_not_retried_and_the_next_goes_out(
        events: SlackEvents, fake_slack: FakeSlack, fake_rasa: FakeRasa) -> None:
    fake_rasa.replies["two replies"] = [{"text": "first reply"}, {"text": "second reply"}]
    fake_slack.fail_next["chat.postMessage"] = ["channel_not_found"]
    before = len(fake_slack.called("chat.postMessage"))
    assert events.dm("UREFUSED", "two replies").status_code == 200
    fake_slack.wait_for_text("second reply")
    fake_slack.settle()
    attempts = [c.arguments["text"] for c in fake_slack.called("chat.postMessage")[before:]]
    assert attempts == ["first reply", "second reply"]


def test_an_agents_reply_reaches_the_thread_with_their_name_and_hand_back_returns_the_bot(
        events: SlackEvents, fake_slack: FakeSlack, fake_rasa: FakeRasa,
        slack_gateway: Gateway) -> None:
    fake_rasa.replies["a person please"] = [
        {"text": "I'm passing you to the Customer Success team."},
        {"custom": {"handoff": {"reason": "requested", "priority": "high"}}}]
    ts, before = new_ts(), len(fake_slack.posts())
    assert events.mention("UHANDOFF", "a person please", channel="CTEAM", ts=ts).status_code == 200
    fake_slack.wait_for_text("passing you", after=before)
    [conversation] = [line for line in slack_gateway.console().login().queue()
                      if line["channel"] == "slack" and line["mode"] == "waiting"]
    console = slack_gateway.console().login()
    assert console.claim(conversation["id"]).status_code == 200
    assert console.reply(conversation["id"], "Hi, I'm <here> & happy to help").status_code == 200
    reply = fake_slack.wait_for_text("happy to help", after=before)
    assert reply.arguments["text"] == ("*Sam* (Customer Success):\n"
                                       "Hi, I'm &lt;here&gt; &amp; happy to help")
    assert (reply.method, reply.arguments["channel"], reply.arguments["thread_ts"]) == (
        "chat.postMessage", "CTEAM", ts)
    # the client's answer reaches the agent, not Rasa
    calls = len(fake_rasa.messages)
    assert events.mention("UHANDOFF", "thanks!", channel="CTEAM", thread_ts=ts).status_code == 200
    detail = console.transcript(conversation["id"])
    deadline = time.monotonic() + 10
    while "thanks!" not in [m["text"] for m in detail["messages"]]:
        assert time.monotonic() < deadline
        time.sleep(0.2)
        detail = console.transcript(conversation["id"])
    assert len(fake_rasa.messages) == calls

    assert console.handback(conversation["id"]).status_code == 200
    fake_slack.wait_for_text("back with the assistant", after=before)
    assert events.mention("UHANDOFF", "still there?", channel="CTEAM",
                          thread_ts=ts).status_code == 200
    fake_slack.wait_for_text("echo: still there?", after=before)


def test_the_users_own_words_are_never_sent_back(events: SlackEvents, fake_slack: FakeSlack
                                                 ) -> None:
    before = len(fake_slack.posts())
    assert events.dm("UECHO", "do not echo me").status_code == 200
    fake_slack.wait_for_text("echo: do not echo me", after=before)
    assert "do not echo me" not in [c.arguments["text"] for c in fake_slack.settle()[before:]]


def test_a_file_in_a_dm_gets_a_polite_word_and_its_text_goes_on(
        events: SlackEvents, fake_slack: FakeSlack, slack_gateway: Gateway) -> None:
    before = len(fake_slack.posts())
    base = {"type": "message", "channel_type": "im", "channel": "DUFILE", "user": "UFILE",
            "team": TEAM, "files": [{"id": "F1", "name": "invoice.pdf"}]}
    assert events.event({**base, "subtype": "file_share", "text": "", "ts": new_ts()}
                        ).status_code == 200
    notice = fake_slack.wait_for_text("I can only read text here", after=before)
    assert notice.arguments["channel"] == "DUFILE"
    assert events.event({**base, "subtype": "file_share", "text": "is this invoice paid?",
                         "ts": new_ts()}).status_code == 200
    fake_slack.wait_for_text("echo: is this invoice paid?", after=before)
    assert texts(slack_gateway, f"{TEAM}:DUFILE") == [("client", "is this invoice paid?"),
                                                      ("bot", "echo: is this invoice paid?")]


def test_a_waiting_client_leaves_the_queue_by_button_or_in_words(
        events: SlackEvents, fake_slack: FakeSlack, fake_rasa: FakeRasa) -> None:
    """The queue position comes with a *Back to the assistant* button; pressing it (or writing
    "cancel that") takes the DM back to the assistant, through the same core as the widget; the
    pressed message's button gives way to the choice made."""
    fake_rasa.replies["a person please"] = [
        {"text": "I'm passing you to the Customer Success team."},
        {"custom": {"handoff": {"reason": "requested", "priority": "high"}}}]
    before = len(fake_slack.posts())
    assert events.dm("UQUEUE", "a person please").status_code == 200
    queued = fake_slack.wait_for_text("in the queue", after=before)
    [actions] = [b for b in queued.arguments["blocks"] if b["type"] == "actions"]
    assert [b["text"]["text"] for b in actions["elements"]] == ["Back to the assistant"]
    assert events.press("UQUEUE", queued, index=0).status_code == 200
    fake_slack.wait_for_text("left the queue", after=before)
    update = fake_slack.wait_for_call("chat.update",
                                      lambda c: c.arguments.get("channel") == "DUQUEUE")
    assert update.arguments["ts"] == queued.result["ts"]
    assert "You chose: Back to the assistant" in json.dumps(update.arguments["blocks"])

    again = len(fake_slack.posts())
    assert events.dm("UQUEUE", "a person please").status_code == 200
    fake_slack.wait_for_text("in the queue", after=again)
    assert events.dm("UQUEUE", "cancel that").status_code == 200
    fake_slack.wait_for_text("left the queue", after=again)

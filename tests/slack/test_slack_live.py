"""Slack end to end: the real gateway with Slack on, in front of the real assistant (Rasa with the
model, the action server, the sandbox: tests/helpers/stack.py), signed events posted to it and
its replies read from the fake Slack Web API."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.fake_slack import FakeSlack, SlackEvents, new_ts
from tests.helpers.gateway import Gateway, run_gateway
from tests.helpers.stack import Assistant


@pytest.fixture(scope="module")
def slack_live(assistant: Assistant, fake_slack: FakeSlack,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with run_gateway(tmp_path_factory.mktemp("slack-live"), assistant.ports.rasa,
                     assistant.shared, sandbox_port=assistant.ports.sandbox,
                     env=fake_slack.gateway_env()) as gateway:
        yield gateway


@pytest.fixture(autouse=True)
def fresh_demo_hub(assistant: Assistant) -> None:
    assistant.reset_demo_hub()


def test_buttons_a_person_the_agents_reply_in_the_dm_and_the_bot_again(
        slack_live: Gateway, fake_slack: FakeSlack) -> None:
    events, before = SlackEvents(slack_live.url), len(fake_slack.posts())
    assert events.dm("ULIVE1", "hello").status_code == 200
    greeting = fake_slack.wait_for_text("Wellbeing Hub assistant", after=before, timeout=60)
    [actions] = [b for b in greeting.arguments["blocks"] if b["type"] == "actions"]
    assert [b["value"] for b in actions["elements"]] == ["/ask_credits", "/book_session",
                                                         "/ask_invoices"]

    pressed = len(fake_slack.posts())
    assert events.press("ULIVE1", greeting, index=0).status_code == 200
    answer = fake_slack.wait_for(lambda c: c.arguments["channel"] == "DULIVE1", after=pressed,
                                 timeout=60)
    assert answer.arguments["text"]

    asked = len(fake_slack.posts())
    assert events.dm("ULIVE1", "I want to talk to a person").status_code == 200
    fake_slack.wait_for_text("queue", after=asked, timeout=60)
    console = slack_live.console().login()
    [line] = [c for c in console.queue() if c["channel"] == "slack" and c["mode"] == "waiting"]
    assert line["handoff_reason"] == "requested"
    assert console.claim(line["id"]).status_code == 200
    assert console.reply(line["id"], "Hi, Sam here. How can I help?").status_code == 200
    reply = fake_slack.wait_for_text("Sam here", after=asked)
    assert reply.arguments["text"].startswith("*Sam* (Customer Success):")
    assert (reply.method, reply.arguments["channel"]) == ("chat.postMessage", "DULIVE1")
    assert "thread_ts" not in reply.arguments

    assert console.handback(line["id"]).status_code == 200
    fake_slack.wait_for_text("back with the assistant", after=asked)
    again = len(fake_slack.posts())
    assert events.dm("ULIVE1", "hello").status_code == 200
    fake_slack.wait_for_text("Wellbeing Hub assistant", after=again, timeout=60)


def test_a_safety_message_in_a_channel_gets_the_safety_reply_first_and_an_urgent_handoff(
        slack_live: Gateway, fake_slack: FakeSlack) -> None:
    events, before, ts = SlackEvents(slack_live.url), len(fake_slack.posts()), new_ts()
    assert events.mention("ULIVE2", "I want to end it all", channel="CLIVE",
                          ts=ts).status_code == 200
    fake_slack.wait_for_text("queue", after=before, timeout=60)
    mine = [c for c in fake_slack.settle()[before:] if c.arguments["channel"] == "CLIVE"]
    assert "112" in mine[0].arguments["text"]
    assert sum("112" in c.arguments["text"] for c in mine) == 1
    assert all(c.arguments.get("thread_ts") == ts for c in mine)
    console = slack_live.console().login()
    [line] = [c for c in console.queue() if c["channel"] == "slack" and c["priority"] == "urgent"]
    assert (line["mode"], line["handoff_reason"]) == ("waiting", "safety")

"""Slack end to end: the real gateway with Slack on, in front of the real assistant (Rasa with the
model, the action server, the sandbox: tests/helpers/stack.py), signed events posted to it and
its replies read from the fake Slack Web API."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.fake_slack import TEAM, FakeSlack, SlackCallRecord, SlackEvents, new_ts
from tests.helpers.gateway import Gateway, run_gateway
from tests.helpers.stack import Assistant
from tests.slack.conftest import slack_messages


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


def link_code(assistant: Assistant, client_id: str) -> str:
    """A one-time code, as the client's dashboard gets it from the platform."""
    response = assistant.platform("POST", f"/api/v1/clients/{client_id}/link-code")
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


def test_link_ask_credits_press_a_button_and_book_in_a_dm(
        slack_live: Gateway, fake_slack: FakeSlack, assistant: Assistant) -> None:
    events, before = SlackEvents(slack_live.url), len(fake_slack.posts())
    assert events.dm("ULINK", "how many credits do I have left?").status_code == 200
    fake_slack.wait_for_text("link", after=before, timeout=60)  # the linking instructions

    code = link_code(assistant, "c-anna")
    linked = len(fake_slack.posts())
    assert events.dm("ULINK", f"link {code}").status_code == 200
    fake_slack.wait_for_text("You're linked", after=linked, timeout=60)
    stored = [m.text for m in slack_messages(slack_live.database_url, f"{TEAM}:DULINK")]
    assert code not in " ".join(stored)  # masked in the transcript

    asked = len(fake_slack.posts())
    assert events.dm("ULINK", "how many credits do I have left?").status_code == 200
    credits = fake_slack.wait_for_text("4 of your 6", after=asked, timeout=60)
    assert credits.method == "chat.postMessage"
    fake_slack.wait_for_text("Did that answer your question?", after=asked)  # (its own buttons)

    booking = len(fake_slack.posts())
    assert events.dm("ULINK", "I'd like to book a session").status_code == 200
    people = fake_slack.wait_for(lambda c: "blocks" in c.arguments, after=booking, timeout=60)
    sara = titles(people).index(next(t for t in titles(people) if "Sara" in t))
    step = len(fake_slack.posts())
    assert events.press("ULINK", people, index=sara).status_code == 200
    times = fake_slack.wait_for(lambda c: "blocks" in c.arguments, after=step, timeout=60)
    step = len(fake_slack.posts())
    assert events.press("ULINK", times, index=0).status_code == 200
    confirm = fake_slack.wait_for(lambda c: "Yes, book it" in titles(c), after=step, timeout=60)
    assert "Sara" in confirm.arguments["text"]
    step = len(fake_slack.posts())
    assert events.press("ULINK", confirm,
                        index=titles(confirm).index("Yes, book it")).status_code == 200
    fake_slack.wait_for_text("booked", after=step, timeout=60)
    remaining = assistant.platform("GET", "/api/v1/clients/c-anna/credits").json()["remaining"]
    assert remaining == 3


def test_a_mention_asking_for_credits_is_never_answered_in_the_channel(
        slack_live: Gateway, fake_slack: FakeSlack, assistant: Assistant) -> None:
    events = SlackEvents(slack_live.url)
    code = link_code(assistant, "c-ben")
    before = len(fake_slack.posts())
    assert events.dm("UPRIV", f"link {code}").status_code == 200
    fake_slack.wait_for_text("You're linked", after=before, timeout=60)

    asked, ts = len(fake_slack.posts()), new_ts()
    assert events.mention("UPRIV", "how many credits do I have left?", channel="CPRIV",
                          ts=ts).status_code == 200
    answer = fake_slack.wait_for_text("private chat", after=asked, timeout=60)
    assert (answer.method, answer.arguments["user"], answer.arguments["thread_ts"]) == (
        "chat.postEphemeral", "UPRIV", ts)
    in_channel = [c for c in fake_slack.settle()[asked:] if c.arguments["channel"] == "CPRIV"
                  and c.method == "chat.postMessage"]
    assert not any("credit" in c.arguments["text"].lower() and any(ch.isdigit() for ch in
                   c.arguments["text"]) for c in in_channel)


def titles(call: SlackCallRecord) -> list[str]:
    return [b["text"]["text"] for block in call.arguments.get("blocks", [])
            if block["type"] == "actions" for b in block["elements"]]

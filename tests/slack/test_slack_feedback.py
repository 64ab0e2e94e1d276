"""Feedback in Slack: "Did that answer your question?" comes as Block Kit buttons after an
answer, and a press (twice: a double click) is recorded and answered once, never sent to Rasa."""
from __future__ import annotations

from bot.core import texts
from tests.helpers.fake_rasa import FakeRasa, help_topic
from tests.helpers.fake_slack import TEAM, FakeSlack, SlackEvents
from tests.helpers.gateway import Gateway
from tests.helpers.gateway_store import report_events
from tests.slack.conftest import slack_messages


def test_that_helped_pressed_twice_in_a_dm_counts_once(
        events: SlackEvents, fake_slack: FakeSlack, fake_rasa: FakeRasa,
        slack_gateway: Gateway) -> None:
    fake_rasa.understood["how do I add a card?"] = help_topic("faq/adding_card")
    fake_rasa.replies["how do I add a card?"] = [{"text": "Settings, Payments, Add card."}]
    before = len(fake_slack.posts())
    assert events.dm("UFEED", "how do I add a card?").status_code == 200
    sent = fake_slack.wait_for_text(texts.FEEDBACK_QUESTION, after=before)
    [actions] = [b for b in sent.arguments["blocks"] if b["type"] == "actions"]
    assert [b["text"]["text"] for b in actions["elements"]] == ["That helped", "I need more help"]
    assert events.press("UFEED", sent, index=0).status_code == 200
    assert events.press("UFEED", sent, index=0).status_code == 200
    fake_slack.wait_for_text(texts.FEEDBACK_THANKS, after=before)
    posted = [p.arguments.get("text") for p in fake_slack.settle(quiet=1.5)[before:]]
    assert posted.count(texts.FEEDBACK_THANKS) == 1
    conversation_id = slack_messages(slack_gateway.database_url, f"{TEAM}:DUFEED")[0] \
        .conversation_id
    assert [e for e in report_events(slack_gateway.database_url, conversation_id)
            if e[0] == "feedback"] == [("feedback", None, None, None, 1)]
    assert not any(m["message"].startswith("/feedback") for m in fake_rasa.messages)

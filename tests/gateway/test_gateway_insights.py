"""Feedback and the team's report over HTTP, through the real gateway (a fake Rasa that says what
its NLU understood): "Did that answer your question?" after an answer, a rating after the team
closes a conversation, each click recorded once, and the report for leads only."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import select

from bot.core import texts
from bot.store.db import Database
from bot.store.models import ConversationEvent
from tests.gateway.conftest import asks_for_a_person
from tests.helpers.fake_rasa import help_topic, intent
from tests.helpers.gateway import LEAD_PASSWORD
from tests.helpers.gateway_store import report_events

LEAD_EMAIL = "lead@support.example"  # the demo lead the gateway seeds (DEMO_LEAD_EMAIL's default)


def events_of(gateway, conversation_id: str) -> list[tuple]:
    return report_events(gateway.database_url, conversation_id)


def comment_of(gateway, conversation_id: str) -> str | None:
    db = Database.from_url(gateway.database_url)
    try:
        return db.run_sync(lambda session: session.scalars(
            select(ConversationEvent.comment).where(
                ConversationEvent.conversation_id == conversation_id,
                ConversationEvent.kind == "rating")).one())
    finally:
        db.dispose()


def _question(widget, text: str, after: int = 0) -> dict:
    return widget.wait_for(lambda m: m["sender"] == "bot" and m["text"] == text, after)


def test_a_help_topic_answer_asks_if_it_helped_and_a_double_click_counts_once(gateway, fake_rasa):
    """The answer is recorded with its topic; "That helped" pressed twice: one event, one
    thanks, and Rasa never sees the click."""
    fake_rasa.understood["how do I add a card?"] = help_topic("faq/adding_card")
    fake_rasa.replies["how do I add a card?"] = [{"text": "Settings → Payments → Add card."}]
    widget = gateway.widget()
    widget.say("how do I add a card?")
    question = _question(widget, texts.FEEDBACK_QUESTION)
    assert [b["title"] for b in question["buttons"]] == ["That helped", "I need more help"]
    helped = question["buttons"][0]
    widget.press(helped["payload"], helped["title"])
    widget.press(helped["payload"], helped["title"])  # a double click: another message id
    thanks = widget.replies_after(question["seq"])
    assert [m["text"] for m in thanks if m["sender"] == "bot"] == [texts.FEEDBACK_THANKS]
    assert events_of(gateway, widget.id) == [("answered", "faq", "faq/adding_card", None, None),
                                             ("feedback", None, None, None, 1)]
    assert not any(m.startswith("/feedback") for m in fake_rasa.messages_of(widget.id))


@pytest.mark.parametrize("says_turn_state", [True, False], ids=["said", "read from tracker"])
def test_the_report_has_what_rasa_understood_said_with_its_answer_or_read_after(
        gateway, fake_rasa, says_turn_state):
    """Rasa's answer says what its NLU made of the message (our channel's X-Turn-State): noted
    with the answer, no tracker read. A Rasa that doesn't say: the tracker is read once, after
    the answer was delivered; the same event and question either way."""
    fake_rasa.says_turn_state = says_turn_state
    fake_rasa.understood["how many credits do I have?"] = intent("ask_credits")
    fake_rasa.replies["how many credits do I have?"] = [{"text": "You have 4 of 6 left."}]
    widget = gateway.widget("c-anna")
    widget.say("how many credits do I have?")
    _question(widget, texts.FEEDBACK_QUESTION)
    assert events_of(gateway, widget.id) == [("answered", "ask_credits", None, None, None)]
    assert fake_rasa.tracker_reads.count(widget.id) == (0 if says_turn_state else 1)


def test_i_need_more_help_offers_a_person(gateway, fake_rasa):
    fake_rasa.understood["how many credits do I have?"] = intent("ask_credits")
    fake_rasa.replies["how many credits do I have?"] = [{"text": "You have 4 of 6 left."}]
    widget = gateway.widget("c-anna")
    widget.say("how many credits do I have?")
    question = _question(widget, texts.FEEDBACK_QUESTION)
    more = question["buttons"][1]
    widget.press(more["payload"], more["title"])
    offer = _question(widget, texts.MORE_HELP, question["seq"])
    assert offer["buttons"] == [texts.HUMAN_BUTTON]
    assert events_of(gateway, widget.id)[-1] == ("feedback", None, None, None, 0)


def test_no_question_after_a_greeting_or_an_answer_that_asks_something_back(gateway, fake_rasa):
    fake_rasa.understood["hi"] = intent("greet")
    fake_rasa.replies["hi"] = [{"text": "Hello! How can I help?"}]
    fake_rasa.understood["who are my connections?"] = intent("ask_connections")
    fake_rasa.replies["who are my connections?"] = [
        {"text": "Sara Hansen", "buttons": [{"title": "Book", "payload": "/book_session"}]}]
    widget = gateway.widget("c-anna")
    widget.say("hi")
    widget.wait_for_reply(0, containing="Hello")
    widget.say("who are my connections?")
    widget.wait_for_reply(0, containing="Sara")
    assert texts.FEEDBACK_QUESTION not in [m["text"] for m in widget.replies_after(0)]
    assert [e[:2] for e in events_of(gateway, widget.id)] == [("answered", "greet"),
                                                             ("answered", "ask_connections")]


def test_a_closed_conversation_asks_for_a_rating_once_and_stays_closed(gateway, fake_rasa):
    """Handoff (asked), an agent's reply, Resolve: the client is asked 1-5; pressing 4 twice is
    one rating and doesn't reopen the conversation."""
    asks_for_a_person(fake_rasa)
    widget = gateway.widget()
    widget.press("/request_human", "Talk to a person")
    console = gateway.console().login()
    console.wait_until_waiting(widget.id)
    assert console.claim(widget.id).status_code == 200
    assert console.reply(widget.id, "Hi, I'm Sam.").status_code == 200
    assert console.resolve(widget.id).status_code == 200
    question = _question(widget, texts.RATING_QUESTION)
    assert [b["title"] for b in question["buttons"]] == ["1", "2", "3", "4", "5"]
    four = question["buttons"][3]
    widget.press(four["payload"], "4")
    widget.press(four["payload"], "4")
    after = widget.replies_after(question["seq"])
    assert [m["text"] for m in after if m["sender"] == "bot"] == [texts.RATING_THANKS]
    assert widget.mode() == "resolved"
    thanks = widget.wait_for_reply(question["seq"], containing="rating us")
    widget.say("Sam was quick, thanks")  # the optional comment, right after the thanks
    widget.wait_for_reply(thanks["seq"], containing=texts.COMMENT_THANKS)
    assert widget.mode() == "resolved"
    assert comment_of(gateway, widget.id) == "Sam was quick, thanks"
    assert not any("quick" in m for m in fake_rasa.messages_of(widget.id))
    kinds = [(kind, reason, value)
             for kind, _, _, reason, value in events_of(gateway, widget.id)]
    # The answer's event comes after its turn (with the handoff) was stored.
    assert kinds == [("handoff", "requested", None), ("answered", None, None),
                     ("resolved", None, None), ("rating", None, 4)]


def test_a_question_after_the_rating_is_answered_not_kept_as_a_comment(gateway, fake_rasa):
    """The thanks says "or just ask me something else": a question then goes to the assistant
    (and reopens the conversation with it), and no comment is recorded."""
    asks_for_a_person(fake_rasa)
    fake_rasa.replies["how many credits do I have left?"] = [{"text": "You have 4 of 6 left."}]
    widget = gateway.widget("c-anna")
    widget.press("/request_human", "Talk to a person")
    console = gateway.console().login()
    console.wait_until_waiting(widget.id)
    assert console.claim(widget.id).status_code == 200
    assert console.resolve(widget.id).status_code == 200
    question = _question(widget, texts.RATING_QUESTION)
    widget.press(question["buttons"][4]["payload"], "5")
    thanks = widget.wait_for_reply(question["seq"], containing="rating us")
    widget.say("how many credits do I have left?")
    widget.wait_for_reply(thanks["seq"], containing="4 of 6 left")
    assert comment_of(gateway, widget.id) is None
    assert "how many credits do I have left?" in fake_rasa.messages_of(widget.id)


def test_the_report_is_for_leads_only(gateway):
    assert requests.get(f"{gateway.url}/console/api/insights", timeout=10).status_code == 401
    agent = gateway.console().login()
    assert agent.get("/me").json()["agent"]["role"] == "agent"
    assert agent.get("/insights").status_code == 403
    assert agent.get("/insights.csv").status_code == 403
    assert agent.http.get(f"{gateway.url}/console/insights", timeout=10).status_code == 403
    lead = gateway.console(LEAD_EMAIL, LEAD_PASSWORD).login()
    assert lead.get("/me").json()["agent"]["role"] == "lead"
    page = lead.http.get(f"{gateway.url}/console/insights", timeout=10)
    assert page.status_code == 200 and "Team report" in page.text


def test_the_report_counts_todays_conversations_in_json_csv_and_plots(gateway, fake_rasa):
    """Five more conversations today, each answered: enough for figures."""
    for n in range(5):
        gateway.widget().say(f"question {n}")
    lead = gateway.console(LEAD_EMAIL, LEAD_PASSWORD).login()
    today = datetime.now(UTC).date().isoformat()
    found = lead.get(f"/insights?start={today}&end={today}&channel=widget").json()
    assert found["too_few"] is False and found["conversations"] >= 5
    assert found["involvement"]["group"] == found["conversations"]
    csv = lead.get(f"/insights.csv?start={today}&end={today}")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.startswith("figure,value,group\nconversations,")
    for plot in ("days", "topics"):
        png = lead.get(f"/insights/{plot}.png?start={today}&end={today}")
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


@pytest.mark.parametrize("query", ["start=2026-13-01", "start=2026-11-02&end=2026-11-01",
                                   "channel=fax"])
def test_a_bad_filter_is_a_400(gateway, query):
    lead = gateway.console(LEAD_EMAIL, LEAD_PASSWORD).login()
    assert lead.get(f"/insights?{query}").status_code == 400


def test_the_real_assistant_s_help_topic_and_account_answers_are_recorded_and_asked_about(
        live_gateway):
    """Real Rasa: the tracker's NLU result gives the help topic's key and the account intent;
    each answer is followed by "Did that answer your question?"."""
    widget = live_gateway.widget("c-anna")
    sent = widget.say("how do I add a credit card?")
    _question(widget, texts.FEEDBACK_QUESTION, sent["seq"])
    sent = widget.say("how many credits do I have left?")
    _question(widget, texts.FEEDBACK_QUESTION, sent["seq"])
    answered = [(intent, topic) for kind, intent, topic, _, _ in events_of(live_gateway, widget.id)
                if kind == "answered"]
    assert answered[0][0] == "faq" and (answered[0][1] or "").startswith("faq/")
    assert answered[1] == ("ask_credits", None)


def test_a_signed_out_account_question_is_not_asked_about(gateway, fake_rasa):
    """Signed out, "my credits" gets how to sign in: not an answer to rate."""
    fake_rasa.understood["how many credits?"] = intent("ask_credits")
    fake_rasa.replies["how many credits?"] = [{"text": "Sign in to see your credits."}]
    widget = gateway.widget()
    widget.say("how many credits?")
    widget.wait_for_reply(0, containing="Sign in")
    assert texts.FEEDBACK_QUESTION not in [m["text"] for m in widget.replies_after(0)]
    assert events_of(gateway, widget.id) == [("answered", "ask_credits", None, None, None)]

"""Understanding real people inside a flow and around account actions (issue 8): real Rasa with
the model, the action server and the sandbox, over the REST channel.

- Inside the booking form, what the user types is read first as an answer to the question asked:
  another professional, "none of those", a week named relative to this one.
- A cancellation never starts unless the user names one.
- Below the account gate's margin the assistant asks first ("Do you want to see your remaining
  credits?", Yes / No): Yes shows them, No shows nothing.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import requests

from bot.core.rasa_client import rasa_api_token
from tests.e2e.conftest import buttons_of, text_of

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EMERGENCY = "112"


@pytest.fixture(autouse=True)
def fresh_demo_hub(assistant):
    assistant.reset_demo_hub()


def offered_days(replies: list[dict]) -> set[date]:
    """The days of the time buttons offered (their payloads carry booking_start)."""
    days = set()
    for b in buttons_of(replies):
        if "booking_start" in b["payload"]:
            start = b["payload"].split('"booking_start":"')[1].split('"')[0]
            days.add(datetime.fromisoformat(start.replace("Z", "+00:00")).date())
    return days


def next_week_day_with_slots(assistant, professional_id: str) -> date:
    """A day of next week (Monday to Sunday) on which the professional has open times."""
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    slots = assistant.platform(
        "GET", f"/api/v1/professionals/{professional_id}/availability?days=14").json()["slots"]
    days = sorted({datetime.fromisoformat(s["start"].replace("Z", "+00:00")).date()
                   for s in slots})
    in_next_week = [d for d in days if monday <= d < monday + timedelta(days=7)]
    assert in_next_week, "the demo hub has no open times next week"
    return in_next_week[0]


def test_next_week_and_a_weekday_offers_that_day_of_next_week(assistant, chat):
    """"next week <day>?" is the day of next week, never this week's."""
    day = next_week_day_with_slots(assistant, "p-sara")
    conversation = chat("c-anna")
    conversation.say("I'd like to book a session with Sara")
    replies = conversation.say(f"next week {WEEKDAY_NAMES[day.weekday()]}?")
    assert offered_days(replies) == {day}, text_of(replies)


def test_the_week_after_a_weekday_reads_the_same(assistant, chat):
    """"<day> next week" too."""
    day = next_week_day_with_slots(assistant, "p-sara")
    conversation = chat("c-anna")
    conversation.say("I'd like to book a session with Sara")
    replies = conversation.say(f"{WEEKDAY_NAMES[day.weekday()]} next week please")
    assert offered_days(replies) == {day}, text_of(replies)


def test_another_professional_named_while_choosing_a_time_switches_to_them(chat):
    """"with Maya instead" while the times of Sara are shown: Maya's times, not a miss."""
    conversation = chat("c-anna")
    replies = conversation.say("I'd like to book a session with Sara")
    assert "Sara" in text_of(replies)
    replies = conversation.say("actually with Maya instead")
    reply = text_of(replies)
    assert "Maya" in reply and offered_days(replies), reply
    assert "Sara" not in reply


def test_none_of_those_asks_for_a_time_again_and_is_no_alarm(chat):
    """"none of those suit me" while choosing a time: the times again, no topic, no crisis."""
    conversation = chat("c-anna")
    conversation.say("I'd like to book a session with Sara")
    replies = conversation.say("none of those suit me")
    reply = text_of(replies)
    assert offered_days(replies), reply
    assert EMERGENCY not in reply and "Which service" not in reply


@pytest.mark.parametrize("message", ["I need to call Sal", "remind me to ring my dad tomorrow"])
def test_a_cancellation_never_starts_unless_the_user_names_one(chat, message):
    """No "which session do you want to cancel" and no cancel confirmation."""
    replies = chat("c-anna").say(message)
    reply = text_of(replies)
    assert "Which session would you like to cancel" not in reply, reply
    titles = [b["title"] for b in buttons_of(replies)]
    assert "Yes, cancel it" not in titles, reply
    assert not any("cancel_booking_id" in b["payload"] for b in buttons_of(replies)), reply


# -- ask first: below the account gate's margin, a question with Yes / No, nothing shown yet ------

# Credit questions worded vaguely enough that the classifier leans to ask_credits without being
# sure (the account gate's 0.8 / 0.5 in config.yml); the test uses the first the model is unsure
# of, as Rasa's own parse says.
VAGUE_CREDIT_QUESTIONS = [
    "have I used up my credits yet", "credits?", "what about my credits", "my credits",
    "credit status", "anything left on my allowance", "remaining credits or not",
    "do I still have some", "how much is left", "balance",
]
ASK_CREDITS = "Do you want to see your remaining credits?"


def parsed(assistant, text: str) -> dict:
    token = rasa_api_token(assistant.shared.rasa_token)
    response = requests.post(f"{assistant.rasa}/model/parse", json={"text": text}, timeout=30,
                             headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    return response.json()


def unsure_credit_question(assistant) -> str:
    """The first vague credit question the NLU leans to ask_credits for but isn't sure of."""
    for text in VAGUE_CREDIT_QUESTIONS:
        parse = parsed(assistant, text)
        ranked = [r for r in parse["intent_ranking"] if r["name"] != "nlu_fallback"]
        if parse["intent"]["name"] == "nlu_fallback" and ranked and (
                ranked[0]["name"] == "ask_credits" and ranked[0]["confidence"] >= 0.45):
            return text
    raise AssertionError(f"the model is sure (or unaware) of all of {VAGUE_CREDIT_QUESTIONS}")


def credits_shown(reply: str) -> bool:
    return "sponsored credits left" in reply or "of your sponsored credits" in reply


def test_an_unsure_account_question_asks_first_and_yes_shows_the_credits(assistant, chat):
    """Below the margin: "Do you want to see your remaining credits?" with Yes / No and no data;
    Yes shows them."""
    question = unsure_credit_question(assistant)
    conversation = chat("c-anna")
    replies = conversation.say(question)
    reply = text_of(replies)
    assert ASK_CREDITS in reply and not credits_shown(reply), reply
    assert [b["title"] for b in buttons_of(replies)] == ["Yes", "No"], reply
    replies = conversation.click(replies, "Yes")
    assert credits_shown(text_of(replies)), text_of(replies)


def test_no_to_the_ask_first_question_shows_nothing(assistant, chat):
    """No: the credits are never shown, and the assistant asks what else it can do."""
    question = unsure_credit_question(assistant)
    conversation = chat("c-anna")
    replies = conversation.say(question)
    assert ASK_CREDITS in text_of(replies), text_of(replies)
    replies = conversation.click(replies, "No")
    reply = text_of(replies)
    assert reply and not credits_shown(reply) and ASK_CREDITS not in reply, reply


@pytest.mark.parametrize("message", ["another professional please",
                                     "can I see someone else instead"])
def test_someone_else_while_choosing_a_time_asks_who_again(chat, message):
    """"another professional" while Sara's times are shown: who to book with, asked again (not
    out of scope, not a help topic)."""
    conversation = chat("c-anna")
    conversation.say("I'd like to book a session with Sara")
    replies = conversation.say(message)
    reply = text_of(replies)
    assert "Who would you like to book with?" in reply, reply
    assert "outside what I can help with" not in reply, reply


def test_a_week_the_nlu_calls_out_of_scope_is_read_as_an_answer_first(assistant, chat):
    """"what about next week instead" while choosing a time: next week's times, not "that's
    outside what I can help with" (the NLU on its own reads it as out of scope)."""
    day = next_week_day_with_slots(assistant, "p-sara")
    monday = day - timedelta(days=day.weekday())
    conversation = chat("c-anna")
    conversation.say("I'd like to book a session with Sara")
    replies = conversation.say("what about next week instead")
    reply = text_of(replies)
    assert "outside what I can help with" not in reply, reply
    days = offered_days(replies)
    assert days and all(monday <= d < monday + timedelta(days=7) for d in days), reply


def a_day_with_more_later_that_week(assistant, professional_id: str) -> tuple[date, set[date]]:
    """A day of this week or next with at least two open times, and the later days of its week
    (at least two open times on them): what "later that week" should offer."""
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    slots = assistant.platform(
        "GET", f"/api/v1/professionals/{professional_id}/availability?days=14").json()["slots"]
    starts = [datetime.fromisoformat(s["start"].replace("Z", "+00:00")) for s in slots]
    for day in sorted({s.date() for s in starts if s.date() < monday + timedelta(days=14)}):
        sunday = day - timedelta(days=day.weekday()) + timedelta(days=6)
        later = [s for s in starts if day < s.date() <= sunday]
        if len([s for s in starts if s.date() == day]) >= 2 and len(later) >= 2:
            return day, {s.date() for s in later}
    raise AssertionError("the demo hub has no day with more open times later in its week")


def test_later_that_week_offers_the_later_days_of_the_week_shown(assistant, chat):
    """Shown one day's times, "anything later that week?" offers the days after it in the same
    week, never that day or earlier ones, and no "outside what I can help with"."""
    day, later_days = a_day_with_more_later_that_week(assistant, "p-sara")
    this_monday = datetime.now(UTC).date() - timedelta(days=datetime.now(UTC).weekday())
    week = "this week" if day < this_monday + timedelta(days=7) else "next week"
    conversation = chat("c-anna")
    conversation.say("I'd like to book a session with Sara")
    replies = conversation.say(f"{WEEKDAY_NAMES[day.weekday()]} {week}")
    assert offered_days(replies) == {day}, text_of(replies)
    replies = conversation.say("anything later that week?")
    reply = text_of(replies)
    assert "outside what I can help with" not in reply, reply
    offered = offered_days(replies)
    assert offered and offered <= later_days, reply
    assert min(later_days) in offered, reply

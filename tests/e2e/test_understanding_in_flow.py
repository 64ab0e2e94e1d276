"""Understanding real people inside a flow and around account actions (issue 8): real Rasa with
the model, the action server and the sandbox, over the REST channel.

- Inside the booking form, what the user types is read first as an answer to the question asked:
  another professional, "none of those", a week named relative to this one.
- A cancellation never starts unless the user names one.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

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

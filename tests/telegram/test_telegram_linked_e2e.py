"""Telegram with account linking, end to end: the real gateway (webhook mode) in front of the
real Rasa server, action server and sandbox; Telegram is the local fake Bot API.

Anna gets a link code from the sandbox's platform API (what her dashboard shows), opens the bot's
deep link (`/start <code>`), asks for her credits, presses buttons through a booking, asks for a
person; the agent claims and replies through the console API and the reply arrives through the
fake Telegram; the agent hands back; the bot answers from her account again. In a group, a
question about credits gets no account data.
"""
from __future__ import annotations

import time
from typing import Any

import pytest

from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.stack import Assistant
from tests.helpers.telegram_updates import callback_data, next_update_id, press_update, text_update
from tests.telegram.conftest import TelegramGateway

pytestmark = pytest.mark.rasa


@pytest.fixture(autouse=True)
def fresh_demo_hub(assistant: Assistant) -> None:
    assistant.reset_demo_hub()


def new_user() -> int:
    return 40_000_000 + next_update_id() % 1_000_000_000


def link_code(assistant: Assistant, client_id: str) -> str:
    response = assistant.platform("POST", f"/api/v1/clients/{client_id}/link-code")
    assert response.status_code in (200, 201), response.text
    return str(response.json()["code"])


def settled(telegram: FakeTelegram, chat: int, quiet: float = 1.5) -> int:
    """How many messages the chat has once none came for `quiet` seconds (an answer may be
    several messages)."""
    count, since = len(telegram.sent(chat)), time.monotonic()
    while time.monotonic() - since < quiet:
        time.sleep(0.1)
        if len(telegram.sent(chat)) != count:
            count, since = len(telegram.sent(chat)), time.monotonic()
    return count


def next_with_buttons(telegram: FakeTelegram, chat: int, after: int,
                      timeout: float = 60.0) -> dict[str, Any]:
    """The first message with an inline keyboard sent to the chat after the first `after`."""
    deadline = time.monotonic() + timeout
    while True:
        offers = [p for p in telegram.sent(chat)[after:] if p.get("reply_markup")]
        if offers:
            return offers[0]
        if time.monotonic() > deadline:
            texts = [str(p.get("text", ""))[:100] for p in telegram.sent(chat)[after:]]
            raise AssertionError(f"no keyboard sent to chat {chat} in {timeout:.0f} s; "
                                 f"sent: {texts}")
        time.sleep(0.1)


def test_link_credits_book_a_person_and_back(assistant: Assistant,
                                             telegram_live_gateway: TelegramGateway) -> None:
    tg, telegram = telegram_live_gateway, telegram_live_gateway.telegram
    user = new_user()
    code = link_code(assistant, "c-anna")
    tg.send(text_update(user, f"/start {code}"))
    telegram.wait_for_sent(user, containing="You're linked", timeout=60)
    [conversation] = tg.conversations(str(user))
    assert conversation.client_id == "c-anna"

    tg.send(text_update(user, "how many credits do I have left?"))
    credits = telegram.wait_for_sent(user, count=2, containing="credit", timeout=60)[-1]
    assert "4" in credits["text"]

    upcoming = len(assistant.platform("GET", "/api/v1/clients/c-anna/bookings").json()["bookings"])
    seen = settled(telegram, user)
    tg.send(text_update(user, "I'd like to book a session with Sara"))
    booked: list[dict[str, Any]] = []
    for _ in range(8):  # press through the booking: a service, a time, "Yes, book it"
        offer = next_with_buttons(telegram, user, after=seen)
        titles = [row[0]["text"] for row in offer["reply_markup"]["inline_keyboard"]]
        title = next((t for t in titles if t.startswith("Yes")), titles[0])
        seen = len(telegram.sent(user))
        tg.send(press_update(user, callback_data(offer, title), offer))
        if title.startswith("Yes"):
            booked = telegram.wait_for_sent(user, containing="Booked:", timeout=60)
            break
    assert booked, [p["text"][:80] for p in telegram.sent(user)]
    bookings = assistant.platform("GET", "/api/v1/clients/c-anna/bookings").json()["bookings"]
    assert len(bookings) == upcoming + 1

    tg.send(text_update(user, "I want to talk to a person"))
    telegram.wait_for_sent(user, containing="queue", timeout=60)
    console = tg.gateway.console().login()
    line = console.wait_until_waiting(conversation.id)
    assert line["channel"] == "telegram"
    assert console.claim(conversation.id).status_code == 200
    context = console.get(f"/conversations/{conversation.id}/context").json()
    assert context["available"] is True and context["client"]["id"] == "c-anna"
    assert console.reply(conversation.id, "Hi Anna, Sam here.").status_code == 200
    telegram.wait_for_sent(user, containing="Hi Anna, Sam here.")
    assert console.handback(conversation.id).status_code == 200
    telegram.wait_for_sent(user, containing="back with the assistant")
    telegram.wait_for_sent(user, containing="How did we do?")  # the rating after a hand back
    before = len(telegram.sent(user))
    tg.send(text_update(user, "how many credits do I have left?"))
    telegram.wait_for_sent(user, count=before + 1, timeout=60)
    assert "credit" in telegram.sent(user)[before]["text"].lower()


def test_in_a_group_a_question_about_credits_gets_no_account_data(
        assistant: Assistant, telegram_live_gateway: TelegramGateway) -> None:
    tg, telegram = telegram_live_gateway, telegram_live_gateway.telegram
    user = new_user()
    tg.send(text_update(user, f"/start {link_code(assistant, 'c-anna')}"))
    telegram.wait_for_sent(user, containing="You're linked", timeout=60)
    group = -1_000_000_000_000 - next_update_id()
    tg.send(text_update(user, "@wellbeing_hub_test_bot how many credits do I have left?",
                        chat_id=group))
    [answer] = telegram.wait_for_sent(group, containing="private chat", timeout=60)
    assert "4 of 6" not in answer["text"]
    [conversation] = tg.conversations(f"{group}:{user}")
    assert conversation.client_id is None
    assert telegram.sent(user)[-1]["text"].startswith("You're linked")  # nothing in private

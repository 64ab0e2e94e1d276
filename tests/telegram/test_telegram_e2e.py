"""The Telegram channel end to end: the real gateway (webhook mode) in front of the real Rasa
server with the model, the action server and the sandbox; Telegram is the local fake Bot API.

A client presses Start, gets the greeting's buttons as an inline keyboard, presses one, asks a
help topic, asks for a person; the agent claims and replies through the console API; the reply
arrives through the fake Telegram with the agent's name; the agent hands back; the bot answers
again. A safety message gets the safety reply first and an urgent handoff.
"""
from __future__ import annotations

import pytest

from tests.helpers.stack import Assistant
from tests.helpers.telegram_updates import (
    callback_data,
    next_update_id,
    press_update,
    text_update,
)
from tests.telegram.conftest import TelegramGateway

pytestmark = pytest.mark.rasa


@pytest.fixture(autouse=True)
def fresh_demo_hub(assistant: Assistant) -> None:
    assistant.reset_demo_hub()


def new_user() -> int:
    return 30_000_000 + next_update_id() % 1_000_000_000


def test_greeting_buttons_a_person_the_agents_reply_and_back_to_the_bot(
        telegram_live_gateway: TelegramGateway) -> None:
    tg, telegram = telegram_live_gateway, telegram_live_gateway.telegram
    user = new_user()
    tg.send(text_update(user, "/start"))
    [greeting] = telegram.wait_for_sent(user, containing="Wellbeing Hub assistant", timeout=60)
    assert greeting["parse_mode"] == "HTML"
    titles = [row[0]["text"] for row in greeting["reply_markup"]["inline_keyboard"]]
    assert titles == ["My credits", "Book a session", "My invoices"]

    press = press_update(user, callback_data(greeting, "My invoices"), greeting)
    before = len(telegram.sent(user))
    tg.send(press)
    telegram.wait_for_sent(user, count=before + 1, timeout=60)  # answered (not signed in yet)
    assert any(c["callback_query_id"] == press["callback_query"]["id"]
               for c in telegram.calls_of("answerCallbackQuery"))

    tg.send(text_update(user, "how do I add a card?"))
    telegram.wait_for_sent(user, containing="Add credit card", timeout=60)

    tg.send(text_update(user, "I want to talk to a person"))
    telegram.wait_for_sent(user, containing="queue", timeout=60)
    [conversation] = tg.conversations(str(user))
    console = tg.gateway.console().login()
    line = console.wait_until_waiting(conversation.id)
    assert (line["channel"], line["handoff_reason"]) == ("telegram", "requested")
    assert console.claim(conversation.id).status_code == 200
    transcript = console.transcript(conversation.id)["messages"]
    clicks = [(m["text"], m["payload"]) for m in transcript if m["kind"] == "button_click"]
    assert clicks == [("My invoices", "/ask_invoices")]
    assert console.reply(conversation.id, "Hi, Sam here. How can I help?").status_code == 200
    [reply] = telegram.wait_for_sent(user, containing="Sam here")
    assert reply["text"] == "<b>Sam · Customer Success</b>\nHi, Sam here. How can I help?"
    assert console.handback(conversation.id).status_code == 200
    telegram.wait_for_sent(user, containing="back with the assistant")

    tg.send(text_update(user, "how do I reset my password?"))
    telegram.wait_for_sent(user, containing="password", timeout=60)


def test_a_safety_message_gets_the_safety_reply_first_and_an_urgent_handoff(
        telegram_live_gateway: TelegramGateway) -> None:
    tg, telegram = telegram_live_gateway, telegram_live_gateway.telegram
    user = new_user()
    tg.send(text_update(user, "I want to end it all"))
    telegram.wait_for_sent(user, containing="queue", timeout=60)
    first = telegram.sent(user)[0]
    assert "112" in first["text"]
    [conversation] = tg.conversations(str(user))
    line = tg.gateway.console().login().wait_until_waiting(conversation.id)
    assert (line["priority"], line["handoff_reason"]) == ("urgent", "safety")

"""Feedback in Telegram: "Did that answer your question?" comes as an inline keyboard after an
answer; "I need more help" pressed twice (the same button, two updates) is recorded and answered
once, with the offer of a person."""
from __future__ import annotations

import time

from bot.core import texts
from tests.helpers.fake_rasa import FakeRasa, help_topic
from tests.helpers.gateway_store import report_events
from tests.helpers.telegram_updates import (
    callback_data,
    next_update_id,
    press_update,
    text_update,
)
from tests.telegram.conftest import TelegramGateway


def test_i_need_more_help_pressed_twice_counts_once_and_offers_a_person(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    fake_rasa.understood["add a card?"] = help_topic("faq/adding_card")
    fake_rasa.replies["add a card?"] = [{"text": "Settings, Payments, Add card."}]
    user = 20_000_000 + next_update_id() % 1_000_000_000
    webhook_gateway.send(text_update(user, "add a card?"))
    [sent] = webhook_gateway.telegram.wait_for_sent(user, containing=texts.FEEDBACK_QUESTION)
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in keyboard] == [["That helped"],
                                                               ["I need more help"]]
    more = callback_data(sent, "I need more help")
    assert more.startswith("/feedback")  # short enough to go as it is
    webhook_gateway.send(press_update(user, more, sent))
    webhook_gateway.send(press_update(user, more, sent))
    [offer] = webhook_gateway.telegram.wait_for_sent(user, containing="talk to a person")
    assert [[b["text"] for b in row] for row in offer["reply_markup"]["inline_keyboard"]] == [
        ["Talk to a person"]]
    time.sleep(1.5)
    offers = [m for m in webhook_gateway.telegram.sent(user) if "talk to a person" in m["text"]]
    assert len(offers) == 1
    [conversation] = webhook_gateway.conversations(str(user))
    assert [e for e in report_events(webhook_gateway.gateway.database_url, conversation.id)
            if e[0] == "feedback"] == [("feedback", None, None, None, 0)]

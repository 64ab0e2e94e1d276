"""The Telegram channel in webhook mode: the real gateway process, its Bot API a local fake
Telegram that records every call, and a fake Rasa that says exactly what Rasa answers.

Updates are posted to `POST /telegram/webhook` the way Telegram posts them.
"""
from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.fake_telegram import BOT_USER
from tests.helpers.telegram_updates import (
    callback_data,
    next_update_id,
    photo_update,
    press_update,
    sticker_update,
    text_update,
    voice_update,
)
from tests.telegram.conftest import WEBHOOK_SECRET, TelegramGateway

ONLY_TEXT = "I can only read text here"


def new_user() -> int:
    return 10_000_000 + next_update_id() % 1_000_000_000


def rasa_got(rasa: FakeRasa, message: str) -> list[dict[str, Any]]:
    return [m for m in rasa.messages if m["message"] == message]


def stored_conversations(gateway: TelegramGateway, external_id: str) -> list[Any]:
    return gateway.conversations(external_id)


# --- start ----------------------------------------------------------------------------------------

def test_the_gateway_sets_its_webhook_with_the_secret_at_start(
        webhook_gateway: TelegramGateway) -> None:
    telegram = webhook_gateway.telegram
    deadline = time.monotonic() + 15
    while not telegram.calls_of("setWebhook") and time.monotonic() < deadline:
        time.sleep(0.1)
    [call] = telegram.calls_of("setWebhook")[:1]
    assert call["url"] == f"{webhook_gateway.gateway.url}/telegram/webhook"
    assert call["secret_token"] == WEBHOOK_SECRET
    assert set(call["allowed_updates"]) == {"message", "callback_query"}
    assert "getMe" in telegram.methods()
    assert telegram.refused == []


# --- the secret, and bodies that aren't updates ---------------------------------------------------

def test_an_update_without_the_secret_is_refused_and_nothing_is_stored(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    user = new_user()
    update = text_update(user, "no secret here")
    missing = webhook_gateway.post(update, secret=None)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "missing_secret_token"
    wrong = webhook_gateway.post(update, secret=WEBHOOK_SECRET[:-1] + "X")
    assert wrong.status_code == 403
    assert wrong.json()["error"]["code"] == "wrong_secret_token"
    empty = webhook_gateway.post(update, secret="")
    assert empty.status_code == 401
    time.sleep(1.0)
    assert stored_conversations(webhook_gateway, str(user)) == []
    assert rasa_got(fake_rasa, "no secret here") == []
    assert webhook_gateway.telegram.sent(user) == []


def test_a_body_that_is_not_an_update_gets_a_clear_400_and_nothing_is_stored(
        webhook_gateway: TelegramGateway) -> None:
    for raw in (b"{not json", b"[]", b'"text"', b'{"message": {"text": "hi"}}',
                b'{"update_id": "12"}', b"\xff\xfe"):
        response = webhook_gateway.post(None, raw=raw)
        assert response.status_code == 400, raw
        error = response.json()["error"]
        assert error["code"] == "invalid_update"
        assert error["message"].startswith("Not a Telegram update")
    user = new_user()
    broken = text_update(user, "hi")
    broken["message"]["chat"] = "not a chat"
    assert webhook_gateway.post(broken).status_code == 400
    assert stored_conversations(webhook_gateway, str(user)) == []


# --- text in, HTML out ----------------------------------------------------------------------------

def test_a_private_message_is_answered_in_its_chat_as_escaped_html(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    fake_rasa.replies["prices <here> & there?"] = [
        {"text": "Prices: <b>not bold</b> & \"quoted\" — 5 < 6"}]
    user = new_user()
    webhook_gateway.send(text_update(user, "prices <here> & there?"))
    [sent] = webhook_gateway.telegram.wait_for_sent(user, containing="Prices")
    assert sent["parse_mode"] == "HTML"
    assert sent["text"] == "Prices: &lt;b&gt;not bold&lt;/b&gt; &amp; \"quoted\" — 5 &lt; 6"
    assert "sendChatAction" in webhook_gateway.telegram.methods()
    [conversation] = stored_conversations(webhook_gateway, str(user))
    assert conversation.channel == "telegram"
    # the client's own words are never sent back to them
    assert all("prices <here>" not in p["text"] for p in webhook_gateway.telegram.sent(user))


def test_the_same_update_twice_is_processed_once(webhook_gateway: TelegramGateway,
                                                 fake_rasa: FakeRasa) -> None:
    user = new_user()
    update = text_update(user, f"only once {user}")
    webhook_gateway.send(update)
    webhook_gateway.send(update)
    webhook_gateway.telegram.wait_for_sent(user, containing=f"echo: only once {user}")
    time.sleep(1.5)
    webhook_gateway.send(update)  # and later again, once the first was answered
    time.sleep(1.0)
    assert len(rasa_got(fake_rasa, f"only once {user}")) == 1
    assert len(webhook_gateway.telegram.sent(user)) == 1


def test_a_bare_start_greets_and_a_mention_in_a_command_is_dropped(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    user = new_user()
    webhook_gateway.send(text_update(user, "/start"))
    webhook_gateway.telegram.wait_for_sent(user, containing="echo: hi")
    webhook_gateway.send(text_update(user, f"/help@{BOT_USER['username']}"))
    webhook_gateway.telegram.wait_for_sent(user, containing="echo: /help")


# --- non-text -------------------------------------------------------------------------------------

def test_stickers_photos_and_voice_get_a_polite_answer_and_nothing_reaches_rasa(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    user = new_user()
    before = len(fake_rasa.messages)
    sticker = sticker_update(user)
    for update in (sticker, photo_update(user), voice_update(user), sticker):
        webhook_gateway.send(update)
    sent = webhook_gateway.telegram.wait_for_sent(user, count=3, containing=ONLY_TEXT)
    time.sleep(1.0)
    assert len(webhook_gateway.telegram.sent(user)) == 3  # the repeated sticker: answered once
    assert all(ONLY_TEXT in p["text"] for p in sent)
    assert len(fake_rasa.messages) == before
    assert stored_conversations(webhook_gateway, str(user)) == []


# --- buttons --------------------------------------------------------------------------------------

LONG_PAYLOAD = ('/choose_slot{"slot_id": "slot-2026-12-03T10:00:00Z-sara-hansen-video", '
                '"professional": "Sara Hansen"}')


def test_buttons_become_an_inline_keyboard_and_a_press_sends_the_whole_payload(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    assert len(LONG_PAYLOAD.encode()) > 64
    fake_rasa.replies["book a session"] = [{"text": "Which time suits you?", "buttons": [
        {"title": "Wed 3 Dec, 10:00", "payload": LONG_PAYLOAD},
        {"title": "Stop", "payload": "/stop"}]}]
    fake_rasa.replies[LONG_PAYLOAD] = [{"text": "Booked for Wed 3 Dec, 10:00."}]
    fake_rasa.replies["/stop"] = [{"text": "Stopped."}]
    user = new_user()
    webhook_gateway.send(text_update(user, "book a session"))
    [sent] = webhook_gateway.telegram.wait_for_sent(user, containing="Which time")
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in keyboard] == [["Wed 3 Dec, 10:00"], ["Stop"]]
    long_data = callback_data(sent, "Wed 3 Dec, 10:00")
    assert long_data.startswith("k:") and len(long_data.encode()) <= 64
    assert callback_data(sent, "Stop") == "/stop"

    press = press_update(user, long_data, sent)
    webhook_gateway.send(press)
    webhook_gateway.telegram.wait_for_sent(user, containing="Booked for")
    answered = [c for c in webhook_gateway.telegram.calls_of("answerCallbackQuery")
                if c["callback_query_id"] == press["callback_query"]["id"]]
    assert len(answered) == 1
    assert len(rasa_got(fake_rasa, LONG_PAYLOAD)) == 1  # never truncated

    webhook_gateway.send(press)  # the same press delivered again: answered, not sent on again
    webhook_gateway.send(press_update(user, "/stop", sent))
    webhook_gateway.telegram.wait_for_sent(user, containing="Stopped.")
    assert len(rasa_got(fake_rasa, LONG_PAYLOAD)) == 1


def test_a_choice_made_in_a_private_chat_takes_the_buttons_off_its_message(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    """The question's words stay; its keyboard goes, so a stray press can't answer it again."""
    fake_rasa.replies["which professional"] = [{"text": "Who would you like to see?", "buttons": [
        {"title": "Dr. Sara Hansen", "payload": "/choose_professional"}]}]
    user = new_user()
    webhook_gateway.send(text_update(user, "which professional"))
    [sent] = webhook_gateway.telegram.wait_for_sent(user, containing="Who would you like")
    press = press_update(user, "/choose_professional", sent)
    webhook_gateway.send(press)
    webhook_gateway.telegram.wait_for_sent(user, containing="echo: /choose_professional")
    pressed_on = press["callback_query"]["message"]["message_id"]
    [edit] = webhook_gateway.telegram.wait_for_calls("editMessageReplyMarkup", chat_id=user,
                                                     message_id=pressed_on)
    assert not edit.get("reply_markup")  # no keyboard: removed
    assert "text" not in edit  # the words are not touched


def test_in_a_group_a_press_leaves_the_buttons_for_the_others(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    fake_rasa.replies["group question"] = [{"text": "Pick one", "buttons": [
        {"title": "Yes", "payload": "/affirm"}]}]
    user, group = new_user(), -1_000_000_000_000 - next_update_id()
    webhook_gateway.send(text_update(user, "group question", chat_id=group))
    [sent] = webhook_gateway.telegram.wait_for_sent(group, containing="Pick one")
    before = len(webhook_gateway.telegram.calls_of("editMessageReplyMarkup"))
    webhook_gateway.send(press_update(user, "/affirm", sent, chat_id=group))
    webhook_gateway.telegram.wait_for_sent(group, containing="echo: /affirm")
    time.sleep(0.5)
    assert len(webhook_gateway.telegram.calls_of("editMessageReplyMarkup")) == before


def test_a_press_shows_the_buttons_title_in_the_transcript(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    fake_rasa.replies["resend"] = [{"text": "Which one?", "buttons": [
        {"title": "Invoice INV-1001", "payload": "/resend_invoice{\"number\": \"INV-1001\"}"}]}]
    user = new_user()
    webhook_gateway.send(text_update(user, "resend"))
    [sent] = webhook_gateway.telegram.wait_for_sent(user, containing="Which one?")
    webhook_gateway.send(press_update(user, callback_data(sent, "Invoice INV-1001"), sent))
    webhook_gateway.telegram.wait_for_sent(user, containing="echo: /resend_invoice")
    [conversation] = stored_conversations(webhook_gateway, str(user))
    engine = sa.create_engine(webhook_gateway.gateway.database_url)
    with engine.connect() as connection:
        clicks = list(connection.execute(sa.text(
            "SELECT text, payload FROM messages WHERE conversation_id = :c AND kind = "
            "'button_click'"), {"c": conversation.id}))
    engine.dispose()
    assert [(c.text, c.payload) for c in clicks] == [
        ("Invoice INV-1001", '/resend_invoice{"number": "INV-1001"}')]


def test_a_press_of_a_key_never_given_out_is_answered_and_goes_nowhere(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    user = new_user()
    before = len(fake_rasa.messages)
    press = press_update(user, "k:AAAAAAAAAAAAAAAAAAAAAA", {"text": "old"})
    webhook_gateway.send(press)
    answered = webhook_gateway.telegram.wait_for_calls(
        "answerCallbackQuery", callback_query_id=press["callback_query"]["id"])
    assert "doesn't work any more" in answered[0]["text"]
    assert len(fake_rasa.messages) == before
    pressed_on = press["callback_query"]["message"]["message_id"]
    assert webhook_gateway.telegram.wait_for_calls(
        "editMessageReplyMarkup", chat_id=user, message_id=pressed_on)  # the dead buttons go too


# --- long replies ---------------------------------------------------------------------------------

def test_a_reply_over_4096_characters_is_split_at_sentence_boundaries(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    sentence = "Your credits renew at the start of each period & never roll over. "
    text = (sentence * 150).strip()  # about 10,000 characters
    fake_rasa.replies["tell me everything"] = [{"text": text, "buttons": [
        {"title": "Thanks", "payload": "/thanks"}]}]
    user = new_user()
    webhook_gateway.send(text_update(user, "tell me everything"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(webhook_gateway.telegram.sent(user)) < 3:
        time.sleep(0.1)
    time.sleep(0.5)
    parts = webhook_gateway.telegram.sent(user)
    assert len(parts) == 3
    for part in parts:
        plain = part["text"].replace("&amp;", "&")
        assert len(plain.encode("utf-16-le")) // 2 <= 4096
        assert plain.endswith("over.")  # cut at a sentence's end
    assert " ".join(p["text"] for p in parts).replace("&amp;", "&") == text
    assert [("reply_markup" in p) for p in parts] == [False, False, True]  # buttons on the last


# --- groups ---------------------------------------------------------------------------------------

def test_in_a_group_each_member_has_their_own_conversation_answered_in_the_group(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    group = -1_000_000_000_000 - next_update_id()
    anna, ben = new_user(), new_user()
    webhook_gateway.send(text_update(ben, "what is the cancellation policy?", chat_id=group))
    anna_update = text_update(anna, f"@{BOT_USER['username']} how do I add a card?",
                              chat_id=group)
    webhook_gateway.send(anna_update)
    [to_anna] = webhook_gateway.telegram.wait_for_sent(group, containing="echo: how do I add")
    [to_ben] = webhook_gateway.telegram.wait_for_sent(group, containing="echo: what is the canc")
    # each answer replies to the member's question, so the group sees whose it was
    assert to_anna["reply_parameters"]["message_id"] == anna_update["message"]["message_id"]
    assert to_ben["reply_parameters"]["message_id"] != to_anna["reply_parameters"]["message_id"]
    assert len(stored_conversations(webhook_gateway, f"{group}:{anna}")) == 1
    assert len(stored_conversations(webhook_gateway, f"{group}:{ben}")) == 1
    assert webhook_gateway.telegram.sent(anna) == []


# --- failures -------------------------------------------------------------------------------------

def test_a_failed_send_is_retried_and_replies_keep_their_order(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    fake_rasa.replies["two things"] = [{"text": "First."}, {"text": "Second."}]
    webhook_gateway.telegram.failures["sendMessage"] = [502, 429]
    user = new_user()
    webhook_gateway.send(text_update(user, "two things"))
    webhook_gateway.telegram.wait_for_sent(user, containing="Second.")
    time.sleep(0.5)
    calls = [p["text"] for p in webhook_gateway.telegram.sent(user)]  # refused ones included
    assert calls == ["First.", "First.", "First.", "Second."]


# --- an agent's reply -----------------------------------------------------------------------------

def test_an_agents_reply_from_the_console_arrives_with_the_agents_name(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    fake_rasa.replies["a person please"] = [
        {"text": "I'm passing you to the Customer Success team."},
        {"custom": {"handoff": {"reason": "requested", "priority": "high"}}}]
    user = new_user()
    webhook_gateway.send(text_update(user, "a person please"))
    webhook_gateway.telegram.wait_for_sent(user, containing="in the queue")
    [conversation] = stored_conversations(webhook_gateway, str(user))
    console = webhook_gateway.gateway.console().login()
    line = console.wait_until_waiting(conversation.id)
    assert line["channel"] == "telegram"
    assert console.claim(conversation.id).status_code == 200
    assert console.reply(conversation.id, "Hi, I'm <Sam>. How can I help?").status_code == 200
    [reply] = webhook_gateway.telegram.wait_for_sent(user, containing="How can I help?")
    assert reply["text"] == "<b>Sam · Customer Success</b>\nHi, I'm &lt;Sam&gt;. How can I help?"
    assert console.handback(conversation.id).status_code == 200
    webhook_gateway.telegram.wait_for_sent(user, containing="back with the assistant")
    webhook_gateway.send(text_update(user, "thanks"))
    webhook_gateway.telegram.wait_for_sent(user, containing="echo: thanks")


def test_a_waiting_client_leaves_the_queue_by_button_or_in_words(
        webhook_gateway: TelegramGateway, fake_rasa: FakeRasa) -> None:
    """The queue position comes with a *Back to the assistant* button; pressing it (or writing
    "cancel that") takes the chat back to the assistant, through the same core as the widget."""
    fake_rasa.replies["a person please"] = [
        {"text": "I'm passing you to the Customer Success team."},
        {"custom": {"handoff": {"reason": "requested", "priority": "high"}}}]
    user = new_user()
    webhook_gateway.send(text_update(user, "a person please"))
    [queued] = webhook_gateway.telegram.wait_for_sent(user, containing="in the queue")
    assert [[b["text"] for b in row] for row in queued["reply_markup"]["inline_keyboard"]] == [
        ["Back to the assistant"]]
    webhook_gateway.send(press_update(user, callback_data(queued, "Back to the assistant"),
                                      queued))
    webhook_gateway.telegram.wait_for_sent(user, containing="left the queue")
    webhook_gateway.send(text_update(user, "a person please"))
    webhook_gateway.telegram.wait_for_sent(user, count=2, containing="in the queue")
    webhook_gateway.send(text_update(user, "cancel that"))
    webhook_gateway.telegram.wait_for_sent(user, count=2, containing="left the queue")
    webhook_gateway.send(text_update(user, "thanks"))
    webhook_gateway.telegram.wait_for_sent(user, containing="echo: thanks")

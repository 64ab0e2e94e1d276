"""Card details never reach the store, the console or Rasa, whatever the client sends them in
(typed text, a button's title or payload) and however the digits are separated; the words around
them are kept, and what the client sees of its own message is what was stored."""
from __future__ import annotations

import re

import pytest

from tests.gateway.conftest import asks_for_a_person

CHARGE = "charge my visa 4242 4242 4242 4242 exp 12/28 cvc 123"
CHARGE_STORED = ("charge my visa [card number removed] exp [expiry removed] "
                 "cvc [security code removed]")


def digits_of(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.mark.parametrize("written", [
    "4242.4242.4242.4242",
    "4242   4242   4242   4242",
    "4242\n4242\n4242\n4242",
    "4242 - 4242 - 4242 - 4242",
    "4242-4242 4242.4242",
    "4242424242424242",
])
def test_a_card_number_however_separated_is_never_stored_or_sent_to_rasa(gateway, fake_rasa,
                                                                        written):
    """The stored message (the 202, the history) has the marker and the words; Rasa gets the
    card refusal intent."""
    widget = gateway.widget("c-ben")
    sent = widget.say(f"please use {written} for my invoice")
    assert sent["text"] == "please use [card number removed] for my invoice"
    widget.wait_for_reply(sent["seq"])
    assert fake_rasa.messages_of(widget.id) == ["/card_number_shared"]
    assert all("4242" not in m["text"] for m in widget.history())
    assert widget.history()[0]["text"] == sent["text"]


def test_the_expiry_and_security_code_go_with_the_number_and_the_words_stay(gateway, fake_rasa):
    """Stored, echoed to the client (202 and its own `message` event) and shown to agents
    without the number, the expiry or the code; the words around are kept."""
    fake_rasa.replies["/card_number_shared"] = [
        {"text": "I removed the card details from your message."},
        {"custom": {"handoff": {"reason": "requested", "priority": "high"}}}]
    widget = gateway.widget("c-ben")
    with widget.events() as stream:
        sent = widget.say(CHARGE)
        echoed = stream.wait_for(lambda e: e.name == "message" and e.data["sender"] == "client")
    assert sent["text"] == CHARGE_STORED and echoed.data["text"] == CHARGE_STORED
    widget.wait_for_reply(sent["seq"], sender="system", containing="queue")
    console = gateway.console().login()
    stored = console.transcript(widget.id)
    [client] = [m for m in stored["messages"] if m["sender"] == "client"]
    assert client["text"] == CHARGE_STORED
    line = next(line for line in console.queue() if line["id"] == widget.id)
    assert line["last_message"] == CHARGE_STORED
    for secret in ("4242", "12/28", "123"):
        assert all(secret not in m["text"] for m in stored["messages"])
        assert all(secret not in m["text"] for m in widget.history())


def test_a_button_press_is_scrubbed_in_its_title_and_its_payload(gateway, fake_rasa):
    """A client chooses both: the title (the transcript) and the payload (shown to agents, sent
    to Rasa) lose the card details like typed text does."""
    asks_for_a_person(fake_rasa)
    widget = gateway.widget("c-anna")
    sent = widget.press('/inform{"note":"4111 1111 1111 1111 exp 01/29"}',
                        "Pay with 4111.1111.1111.1111")
    assert sent["kind"] == "button_click" and sent["text"] == "Pay with [card number removed]"
    widget.wait_for_reply(sent["seq"])
    assert fake_rasa.messages_of(widget.id) == ["/card_number_shared"]
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    console = gateway.console().login()
    [pressed] = [m for m in console.transcript(widget.id)["messages"]
                 if m["kind"] == "button_click" and m["seq"] == sent["seq"]]
    assert pressed["payload"] == '/inform{"note":"[card number removed] exp [expiry removed]"}'
    assert "4111" not in pressed["text"] + pressed["payload"]


def test_a_message_id_made_of_a_card_number_is_not_kept(gateway, fake_rasa):
    """The client's own id for its message is echoed back and stored: a card number there is
    dropped (the message is stored once all the same)."""
    widget = gateway.widget()
    sent = widget.say("hello", client_message_id="4242.4242.4242.4242")
    assert sent["client_message_id"] is None and sent["text"] == "hello"
    assert all(digits_of(m.get("client_message_id") or "") == "" for m in widget.history())


def test_numbers_that_are_not_card_numbers_are_kept_as_sent(gateway, fake_rasa):
    """Dates, times, phone numbers and prices are not card numbers."""
    widget = gateway.widget()
    text = "can I book 12/03/2026 at 10:30? call +354 555 1234, it's 18,000 ISK"
    sent = widget.say(text)
    assert sent["text"] == text
    widget.wait_for_reply(sent["seq"])
    assert fake_rasa.messages_of(widget.id) == [text]





def test_a_payload_of_card_numbers_as_long_as_allowed_is_stored_without_them(any_store_gateway,
                                                                            fake_rasa):
    """The markers are longer than the digits: the stored payload still fits its column (which
    PostgreSQL enforces) and holds no card number."""
    widget = any_store_gateway.widget()
    payload = ("x 4242424242424242 " * 60)[:1000]
    sent = widget.press(payload, "a button")
    widget.wait_for_reply(sent["seq"])
    assert fake_rasa.messages_of(widget.id) == ["/card_number_shared"]
    asks_for_a_person(fake_rasa)
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    [pressed] = [m for m in any_store_gateway.console().login().transcript(widget.id)["messages"]
                 if m["seq"] == sent["seq"]]
    assert len(pressed["payload"]) <= 1000 and "4242" not in pressed["payload"]

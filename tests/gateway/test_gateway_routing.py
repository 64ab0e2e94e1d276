"""Routing by mode, against a fake Rasa that records what it was sent."""
from __future__ import annotations

import time

from tests.gateway.conftest import SAFETY, asks_for_a_person


def test_a_message_goes_to_rasa_with_the_conversation_id_and_the_verified_identity(
        gateway, fake_rasa):
    """sender = conversation id; metadata = client id from the token, channel, locale, private
    (a widget chat is one-to-one), and the message's id (so Rasa's tracker can tell whether its
    turn happened)."""
    widget = gateway.widget("c-ben")
    sent = widget.say("how many credits do I have left?")
    reply = widget.wait_for_reply(sent["seq"])
    assert reply["text"] == "echo: how many credits do I have left?"
    [call] = [m for m in fake_rasa.messages if m["sender"] == widget.id]
    assert call["message"] == "how many credits do I have left?"
    assert call["metadata"] == {"client_id": "c-ben", "channel": "widget", "locale": "en",
                                "live_handoff": True, "private": True,
                                "message_id": sent["id"]}


def test_a_signed_out_conversation_sends_no_client_id(gateway, fake_rasa):
    """Without a token the metadata's client_id is null: Rasa treats the user as signed out."""
    widget = gateway.widget()
    assert widget.started["signed_in"] is False
    widget.wait_for_reply(widget.say("hello")["seq"])
    [call] = [m for m in fake_rasa.messages if m["sender"] == widget.id]
    assert call["metadata"]["client_id"] is None


def test_a_button_press_sends_its_payload_and_shows_its_title(gateway, fake_rasa):
    """The transcript shows the title as a button click; Rasa gets the payload."""
    widget = gateway.widget("c-anna")
    sent = widget.press('/inform{"booking_professional_id":"p-sara"}', "Dr. Sara Hansen")
    assert sent["kind"] == "button_click" and sent["text"] == "Dr. Sara Hansen"
    widget.wait_for_reply(sent["seq"])
    assert fake_rasa.messages_of(widget.id) == ['/inform{"booking_professional_id":"p-sara"}']


def test_bot_buttons_reach_the_client(gateway, fake_rasa):
    """Rasa's buttons are stored with the reply, as title and payload."""
    fake_rasa.replies["menu"] = [{"text": "Pick one", "buttons": [
        {"title": "My credits", "payload": "/ask_credits"}, {"title": 3, "payload": "bad"}]}]
    widget = gateway.widget()
    reply = widget.wait_for_reply(widget.say("menu")["seq"])
    assert reply["buttons"] == [{"title": "My credits", "payload": "/ask_credits"}]


def test_the_handoff_payload_is_never_shown_and_queues_the_conversation(gateway, fake_rasa):
    """The action's words are shown, its custom payload isn't; the client hears their place."""
    asks_for_a_person(fake_rasa)
    widget = gateway.widget("c-ben")
    sent = widget.press("/request_human", "Talk to a person")
    queued = widget.wait_for_reply(sent["seq"], sender="system", containing="in the queue")
    texts = [m["text"] for m in widget.history(sent["seq"])]
    assert texts[0] == "I'm passing you to the Customer Success team."
    assert not any("handoff" in t for t in texts)
    assert "next in the queue" in queued["text"] or "number" in queued["text"]
    line = gateway.console().login().wait_until_waiting(widget.id)
    assert line["handoff_reason"] == "requested" and line["priority"] == "high"
    assert widget.mode() == "waiting"


def test_while_waiting_messages_are_stored_and_rasa_is_not_called(gateway, fake_rasa):
    """Waiting for a person: the message is kept for the console; the bot stays quiet."""
    asks_for_a_person(fake_rasa)
    widget = gateway.widget()
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    calls_before = len(fake_rasa.messages_of(widget.id))
    sent = widget.say("are you there?")
    time.sleep(1.0)
    assert len(fake_rasa.messages_of(widget.id)) == calls_before
    assert [m["text"] for m in widget.history(sent["seq"] - 1)] == ["are you there?"]
    transcript = gateway.console().login().transcript(widget.id)
    assert transcript["messages"][-1]["text"] == "are you there?"


def test_with_an_agent_messages_go_to_the_console_only(gateway, fake_rasa):
    """Claimed: the client's messages reach the agent's stream; Rasa is not called."""
    asks_for_a_person(fake_rasa)
    widget = gateway.widget("c-anna")
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    console = gateway.console().login()
    assert console.claim(widget.id).status_code == 200
    calls_before = len(fake_rasa.messages_of(widget.id))
    with console.events() as stream:
        widget.say("thanks for taking this")
        event = stream.wait_for(lambda e: e.name == "message"
                                and e.data["message"]["text"] == "thanks for taking this")
    assert event.data["conversation_id"] == widget.id
    time.sleep(0.5)
    assert len(fake_rasa.messages_of(widget.id)) == calls_before


def test_a_safety_handoff_is_urgent_and_jumps_the_queue(gateway, fake_rasa):
    """The safety reply goes first; the conversation is queued ahead of older normal ones.
    (Rasa is sent `/self_harm` for a message that speaks of risk: test_gateway_safety.py.)"""
    asks_for_a_person(fake_rasa)
    fake_rasa.replies["/self_harm"] = [{"text": "Please call 112."}, SAFETY]
    fake_rasa.replies["low"] = [{"text": "ok"},
                                {"custom": {"handoff": {"reason": "not_understood",
                                                        "priority": "normal"}}}]
    earlier = gateway.widget()
    earlier.wait_for_reply(earlier.say("low")["seq"], sender="system")
    widget = gateway.widget("c-dan")
    sent = widget.say("I want to end it all")
    widget.wait_for_reply(sent["seq"], sender="system")
    first = widget.history(sent["seq"])[0]
    assert first["sender"] == "bot" and first["text"] == "Please call 112."
    queue = [line["id"] for line in gateway.console().login().queue()]
    assert queue.index(widget.id) < queue.index(earlier.id)
    line = next(line for line in gateway.console().login().queue() if line["id"] == widget.id)
    assert line["priority"] == "urgent" and line["handoff_reason"] == "safety"


def test_a_safety_handoff_is_urgent_whatever_priority_the_payload_says(gateway, fake_rasa):
    """Unknown reasons and priorities become safe defaults; safety is always urgent."""
    fake_rasa.replies["help me"] = [{"text": "..."}, {"custom": {"handoff": {
        "reason": "safety", "priority": "normal"}}}]
    fake_rasa.replies["odd"] = [{"custom": {"handoff": {"reason": "<script>", "priority": 7}}}]
    safety, odd = gateway.widget(), gateway.widget()
    safety.wait_for_reply(safety.say("help me")["seq"], sender="system")
    odd.wait_for_reply(odd.say("odd")["seq"], sender="system")
    lines = {line["id"]: line for line in gateway.console().login().queue()}
    assert lines[safety.id]["priority"] == "urgent"
    assert (lines[odd.id]["handoff_reason"], lines[odd.id]["priority"]) == ("requested", "normal")


def test_the_second_in_the_queue_is_told_their_position(gateway, fake_rasa):
    """Queue position counts the conversations ahead (more urgent, or same priority and older)."""
    fake_rasa.replies["person please"] = [
        {"custom": {"handoff": {"reason": "requested", "priority": "normal"}}}]
    first, second = gateway.widget(), gateway.widget()
    first.wait_for_reply(first.say("person please")["seq"], sender="system")
    told = second.wait_for_reply(second.say("person please")["seq"], sender="system")
    waiting_ahead = [line for line in gateway.console().login().queue()
                     if line["mode"] == "waiting" and line["id"] != second.id]
    assert f"number {len(waiting_ahead) + 1} in the queue" in told["text"]


def test_a_resolved_conversation_reopens_with_the_bot_and_rasa_is_resumed(gateway, fake_rasa):
    """After resolve, the next message goes to Rasa again, after a resume of the paused bot."""
    asks_for_a_person(fake_rasa)
    widget = gateway.widget("c-chloe")
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    console = gateway.console().login()
    console.claim(widget.id)
    assert console.resolve(widget.id).status_code == 200
    assert widget.mode() == "resolved"
    sent = widget.say("one more question")
    assert widget.wait_for_reply(sent["seq"])["text"] == "echo: one more question"
    assert widget.id in fake_rasa.resumes
    assert widget.mode() == "bot"


def test_typing_is_shown_while_rasa_thinks(gateway, fake_rasa):
    """typing on, the reply, typing off."""
    fake_rasa.delay = 0.5
    widget = gateway.widget()
    with widget.events() as stream:
        widget.say("slow question")
        stream.wait_for(lambda e: e.name == "typing" and e.data == {"on": False}, timeout=10)
    order = [(e.name, e.data.get("on") if e.name == "typing" else e.data["sender"])
             for e in stream.seen if e.name in ("typing", "message")]
    assert order.index(("typing", True)) < order.index(("message", "bot")) \
        < order.index(("typing", False))


def test_a_card_number_is_never_stored_or_sent_to_rasa(gateway, fake_rasa):
    """The number is replaced in the transcript; Rasa gets the card intent instead."""
    widget = gateway.widget("c-ben")
    sent = widget.say("my card is 4111 1111 1111 1111, charge it")
    assert "4111" not in sent["text"] and "[card number removed]" in sent["text"]
    widget.wait_for_reply(sent["seq"])
    assert fake_rasa.messages_of(widget.id) == ["/card_number_shared"]
    assert all("4111" not in m["text"] for m in widget.history())


def test_the_gateway_proves_itself_to_rasa_and_puts_no_secret_in_a_url(gateway, fake_rasa):
    """Messages carry the REST channel's secret, the resume a JWT in its header (the fake Rasa
    refuses anything else, as the real one does); no URL ever holds a token."""
    asks_for_a_person(fake_rasa)
    widget = gateway.widget("c-dan")
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    console = gateway.console().login()
    console.claim(widget.id)
    assert console.handback(widget.id).status_code == 200
    sent = widget.say("back with the bot")
    assert widget.wait_for_reply(sent["seq"])["text"] == "echo: back with the bot"
    assert widget.id in fake_rasa.resumes
    assert fake_rasa.messages_of(widget.id) == ["/request_human", "back with the bot"]
    assert fake_rasa.refused == [] and fake_rasa.tokens_in_urls == []

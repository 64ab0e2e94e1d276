"""Safety first and card details, through the gateway in front of the real assistant (Rasa with
the model, the action server, the sandbox)."""
from __future__ import annotations

import json

import pytest


@pytest.fixture(autouse=True)
def fresh_demo_hub(assistant):
    assistant.reset_demo_hub()


def user_events(assistant, conversation_id: str) -> list[dict]:
    return [e for e in assistant.tracker(conversation_id)["events"] if e.get("event") == "user"]


def test_rasa_hears_of_the_risk_and_its_safety_reply_comes_first_once(live_gateway, assistant):
    """In the middle of booking: Rasa is sent `/self_harm` (the words stay with the gateway), the
    safety action ends the form and replies first, once; the conversation is urgent."""
    widget = live_gateway.widget("c-anna")
    widget.wait_for_reply(widget.say("I want to book a session")["seq"])
    sent = widget.say("sorry, actually my partner threatened to kill me")
    widget.wait_for_reply(sent["seq"], sender="system", containing="queue")
    shown = widget.replies_after(sent["seq"], settle=1.5)
    assert shown[0]["sender"] == "bot" and "112" in shown[0]["text"]
    assert sum("112" in m["text"] for m in shown) == 1
    last = user_events(assistant, widget.id)[-1]
    assert last["parse_data"]["intent"]["name"] == "self_harm"
    assert "partner" not in json.dumps(user_events(assistant, widget.id))
    line = live_gateway.console().login().wait_until_waiting(widget.id)
    assert (line["priority"], line["handoff_reason"]) == ("urgent", "safety")


def test_while_waiting_for_a_person_a_risk_message_is_answered_and_made_urgent(live_gateway):
    widget = live_gateway.widget("c-ben")
    widget.wait_for_reply(widget.say("can I talk to a person")["seq"], sender="system",
                          containing="queue")
    assert live_gateway.console().login().wait_until_waiting(widget.id)["priority"] == "high"
    sent = widget.say("I don't want to be here anymore")
    first = widget.wait_for(lambda m: m["seq"] > sent["seq"], timeout=30)
    assert first["sender"] == "bot" and "112" in first["text"]
    line = live_gateway.console().login().wait_until_waiting(widget.id)
    assert (line["priority"], line["handoff_reason"]) == ("urgent", "safety")


def test_card_details_are_removed_the_words_kept_and_the_bot_says_so(live_gateway, assistant):
    """What the bot says matches what was kept: the message is stored without the number, the
    expiry and the code, and the bot says it removed the card details."""
    widget = live_gateway.widget("c-ben")
    sent = widget.say("charge my visa 4242 4242 4242 4242 exp 12/28 cvc 123")
    assert sent["text"] == ("charge my visa [card number removed] exp [expiry removed] "
                            "cvc [security code removed]")
    reply = widget.wait_for_reply(sent["seq"])
    assert "removed the card details from your message" in reply["text"]
    assert "didn't keep" not in reply["text"]
    tracker = json.dumps(assistant.tracker(widget.id))
    assert "4242" not in tracker and "12/28" not in tracker

"""Rasa's own REST channel guards (rasa_addons/message_guard.py, the same checks as the gateway):
a message that speaks of risk is answered with the safety reply whatever its length, a card
number never reaches the tracker however it is written. Real Rasa with the model, actions and
sandbox, over the REST channel."""
from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import text_of


@pytest.fixture(autouse=True)
def fresh_demo_hub(assistant):
    assistant.reset_demo_hub()


def test_a_risk_phrase_after_the_first_2000_characters_gets_the_safety_reply(assistant, chat):
    """The NLU only reads the first 2,000 characters; the guard reads the whole message."""
    conversation = chat("c-anna")
    text = "I have a question about booking a session with my physio. " * 50
    replies = conversation.say(text + "But honestly, I want to kill myself.")
    assert len(text) > 2_000
    assert "112" in replies[0]["text"]
    said = [e for e in assistant.tracker(conversation.sender)["events"] if e["event"] == "user"]
    assert said[-1]["parse_data"]["intent"]["name"] == "self_harm"


def test_a_risk_message_with_a_card_number_gets_the_safety_reply_and_keeps_no_number(assistant,
                                                                                   chat):
    conversation = chat("c-ben")
    replies = conversation.say("he hits me. here is my card 4242 4242 4242 4242")
    assert "112" in replies[0]["text"]
    assert "4242" not in json.dumps(assistant.tracker(conversation.sender))


@pytest.mark.parametrize("written", ["4242.4242.4242.4242", "4242  -  4242  -  4242  -  4242",
                                     "4242\n4242\n4242\n4242"])
def test_a_card_number_however_separated_is_refused_and_never_in_the_tracker(assistant, chat,
                                                                             written):
    """The refusal says truthfully what happened to the card details."""
    conversation = chat("c-anna")
    reply = text_of(conversation.say(f"charge my card {written} exp 12/28 cvc 123"))
    assert "removed the card details from your message" in reply
    tracker = json.dumps(assistant.tracker(conversation.sender))
    assert "4242" not in tracker and "12/28" not in tracker

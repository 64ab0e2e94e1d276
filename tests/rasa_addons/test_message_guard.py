"""What our REST channel lets Rasa see of a message (rasa_addons/message_guard.py), checked in our
own environment: the channel itself is tested with the real Rasa in tests/e2e/test_guards.py."""
from __future__ import annotations

from rasa_addons.message_guard import MAX_MESSAGE_CHARS, guard_message


def test_a_risk_phrase_anywhere_in_a_long_message_becomes_the_self_harm_intent():
    text = "x " * 3000 + "I want to end my life"
    assert guard_message(text) == "/self_harm"


def test_risk_goes_before_a_card_number_in_the_same_message():
    assert guard_message("my card 4242.4242.4242.4242 and I want to die") == "/self_harm"


def test_a_card_number_with_any_separators_becomes_the_card_intent():
    for written in ("4242.4242.4242.4242", "4242 - 4242 - 4242 - 4242", "4242\n4242\n4242\n4242"):
        assert guard_message(f"pay with {written}") == "/card_number_shared"


def test_anything_else_is_cut_for_understanding_and_left_as_it_is():
    assert guard_message("y" * 5000) == "y" * MAX_MESSAGE_CHARS
    assert guard_message("this page is killing me") == "this page is killing me"
    assert guard_message(None) is None

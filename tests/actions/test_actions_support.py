"""Safety, a person, and what happens when the assistant didn't understand or can't help."""

from __future__ import annotations

import pytest

from tests.helpers.action_trackers import bot, tracker, user, user_event

PERSON = {"title": "Talk to a person", "payload": "/request_human"}


def missed(text="asdf", intent="nlu_fallback", **extra):
    return user(text, intent=intent, confidence=0.3, **extra)


def test_safety_reply_gives_emergency_contacts_and_hands_off_urgently(actions):
    """Emergency number and helplines first; a person at once (urgent hand-off, bot paused)."""
    reply = actions.run(
        "action_safety_reply", tracker(user("I want to end it all", intent="self_harm"),
                                       live_handoff=True)
    )
    assert "112" in reply.text and "Helpline 1717" in reply.text
    assert "can't give clinical advice" in reply.text and "person from our team" in reply.text
    assert reply.text.index("112") < reply.text.index("person from our team")
    assert reply.customs == [{"handoff": {"reason": "safety", "priority": "urgent"}}]
    assert [e["event"] for e in reply.events] == ["pause"]


def test_safety_reply_ends_an_active_form(actions):
    """During a booking, the form is deactivated and its answers cleared."""
    reply = actions.run(
        "action_safety_reply",
        tracker(
            user("I can't go on", intent="self_harm"),
            active_loop="booking_form",
            requested_slot="booking_start",
        ),
    )
    assert reply.has_event("active_loop", name=None)
    assert reply.slots["booking_professional_id"] is None


def test_handoff_asks_the_gateway_for_a_person_and_pauses(actions):
    """The hand-off payload of docs/gateway.md plus ConversationPaused; the team's e-mail too."""
    reply = actions.run("action_handoff", tracker(user("talk to a person", intent="request_human"),
                                                  live_handoff=True))
    assert "Customer Success team" in reply.text and "never shared" in reply.text
    assert reply.customs == [{"handoff": {"reason": "requested", "priority": "high"}}]
    assert reply.has_event("pause")


def test_without_live_handoff_the_team_is_named_and_the_bot_keeps_listening(actions):
    """Plain REST clients (no gateway): the support e-mail and hours, no pause, no payload."""
    reply = actions.run("action_handoff", tracker(user("talk to a person", intent="request_human")))
    assert "help@support.example" in reply.text and "Monday to Wednesday, 08:00–16:00 (UTC)" in reply.text
    assert reply.customs == []
    assert not reply.has_event("pause")


def test_safety_reply_without_live_handoff_still_gives_contacts_first(actions):
    """No gateway: emergency contacts first, then the team's e-mail; the bot is not paused."""
    reply = actions.run("action_safety_reply", tracker(
        user("I want to end it all", intent="self_harm")))
    assert reply.text.index("112") < reply.text.index("help@support.example")
    assert reply.customs == []
    assert not reply.has_event("pause")


@pytest.mark.parametrize(
    "history, reason, priority",
    [
        (
            [bot("Sorry, I can't reach your account right now. Please try again")],
            "platform_unavailable",
            "normal",
        ),
        (
            [user_event(missed("qwerty")), {"event": "action", "name": "action_fallback"}],
            "not_understood",
            "normal",
        ),
        (
            [bot("I'm really sorry you're going through this, and I'm glad you said something.")],
            "safety",
            "urgent",
        ),
    ],
)
def test_handoff_reason_comes_from_the_conversation(actions, history, reason, priority):
    """After the platform apology, after a miss, or after a safety reply: reason and priority."""
    reply = actions.run(
        "action_handoff",
        tracker(user("/request_human"), history=history, live_handoff=True),
    )
    assert reply.customs == [{"handoff": {"reason": reason, "priority": priority}}]


def test_fallback_offers_the_closest_topics_from_the_intent_ranking(actions):
    """Runner-up intents become buttons; the help topic uses a question the NLU knows."""
    message = missed(
        "credits card thing?",
        intent_ranking=[
            {"name": "nlu_fallback", "confidence": 0.45},
            {"name": "ask_credits", "confidence": 0.30},
            {"name": "greet", "confidence": 0.2},
            {"name": "faq", "confidence": 0.15},
            {"name": "ask_invoices", "confidence": 0.1},
            {"name": "book_session", "confidence": 0.05},
        ],
        response_selector={"faq": {"response": {"intent_response_key": "faq/add_card"}}},
    )
    reply = actions.run("action_fallback", tracker(message))
    assert reply.buttons == [
        {"title": "My credits", "payload": "/ask_credits"},
        {"title": "Saving a card", "payload": "how do I add a card"},
        {"title": "My invoices", "payload": "/ask_invoices"},
    ]
    assert PERSON not in reply.buttons


def test_fallback_on_the_second_miss_in_a_row_offers_a_person(actions):
    """Two misses in a row: the support e-mail, hours and the Talk to a person button."""
    previous = [user_event(missed("qwerty")), {"event": "action", "name": "action_fallback"}]
    reply = actions.run("action_fallback", tracker(missed("zxcv"), history=previous))
    assert PERSON in reply.buttons
    assert "help@support.example" in reply.text


def test_a_served_message_in_between_resets_the_miss_count(actions):
    """Miss, then a credits question, then a miss: only one miss in a row."""
    history = [
        user_event(missed("qwerty")),
        {"event": "action", "name": "action_fallback"},
        {"event": "action", "name": "action_listen"},
        user_event(user("/ask_credits")),
        {"event": "action", "name": "action_check_credits"},
    ]
    reply = actions.run("action_fallback", tracker(missed("zxcv"), history=history))
    assert PERSON not in reply.buttons


def test_fallback_as_the_core_fallback_reverts_the_message(actions):
    """Understood but unforeseen (RulePolicy's core fallback): the message is reverted, so the
    assistant listens again instead of repeating the fallback."""
    reply = actions.run("action_fallback", tracker(user("sara", intent="inform")))
    assert reply.has_event("rewind")
    assert not actions.run("action_fallback", tracker(missed())).has_event("rewind")


def test_fallback_answers_a_clear_risk_phrase_with_the_safety_reply(actions):
    """A worrying message the NLU missed still gets the safety reply first."""
    reply = actions.run("action_fallback", tracker(missed("honestly I want to kill myself"),
                                                   live_handoff=True))
    assert "112" in reply.text
    assert reply.customs == [{"handoff": {"reason": "safety", "priority": "urgent"}}]


def test_out_of_scope_says_what_the_assistant_can_do(actions):
    """Kind refusal and the main topics as buttons; a second miss also offers a person."""
    first = actions.run(
        "action_out_of_scope", tracker(user("what's the weather", intent="out_of_scope"))
    )
    assert "outside what I can help with" in first.text
    assert "/ask_credits" in first.payloads and PERSON not in first.buttons
    history = [user_event(missed("asdf")), {"event": "action", "name": "action_fallback"}]
    second = actions.run(
        "action_out_of_scope",
        tracker(user("tell me a joke", intent="out_of_scope"), history=history),
    )
    assert PERSON in second.buttons


def test_out_of_scope_does_not_mistake_everyday_words_for_risk(actions):
    """ "my phone died" is not a safety message."""
    reply = actions.run(
        "action_out_of_scope", tracker(user("my phone died", intent="out_of_scope"))
    )
    assert "outside what I can help with" in reply.text and "112" not in reply.text


def test_second_miss_in_a_row_hands_off_when_a_person_can_take_over(actions):
    """Through the gateway, two misunderstandings in a row are a handoff trigger."""
    previous = [user_event(missed("qwerty")), {"event": "action", "name": "action_fallback"}]
    reply = actions.run("action_fallback",
                        tracker(missed("zxcv"), history=previous, live_handoff=True))
    assert "passing you to a person" in reply.text
    assert reply.customs == [{"handoff": {"reason": "not_understood", "priority": "normal"}}]
    assert reply.has_event("pause")

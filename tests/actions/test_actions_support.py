"""Safety, a person, and what happens when the assistant didn't understand or can't help."""

from __future__ import annotations

import pytest

from tests.helpers.action_trackers import action, bot, slot, tracker, user, user_event

PERSON = {"title": "Talk to a person", "payload": "/request_human"}
REASON = "handoff_reason"


def missed(text="asdf", intent="nlu_fallback", **extra):
    return user(text, intent=intent, confidence=0.3, **extra)


def test_safety_reply_gives_emergency_contacts_and_hands_off_urgently(actions):
    """Emergency number and helplines first; a person at once (urgent hand-off, bot paused)."""
    # Rasa has filled handoff_reason from the self_harm intent (domain.yml) before this runs.
    reply = actions.run(
        "action_safety_reply", tracker(user("I want to end it all", intent="self_harm"),
                                       live_handoff=True, slots={REASON: "safety"})
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
    """Plain REST clients (no gateway): the support e-mail and hours (in UTC, named, for a client
    who isn't signed in), no pause, no payload."""
    reply = actions.run("action_handoff", tracker(user("talk to a person", intent="request_human"),
                                                  client_id=None))
    assert ("help@support.example" in reply.text
            and "Monday to Wednesday, 08:00–16:00 (UTC)" in reply.text)
    assert reply.customs == []
    assert not reply.has_event("pause")


def test_chloe_is_told_the_teams_hours_in_paris_time(actions):
    """The hours are configured in UTC (Monday to Wednesday, 08:00–16:00); Chloe's platform record
    says Europe/Paris, so she reads them on her own clock, one or two hours later by the season
    (in a week with a DST change, some days one and some the other)."""
    paris_hours = {"09:00–17:00", "10:00–18:00"}  # CET, or CEST
    for name, text in [("action_handoff", "talk to a person"),
                       ("action_safety_reply", "I want to end it all")]:
        reply = actions.run(name, tracker(user(text, intent="request_human"), client_id="c-chloe"))
        assert "Monday" in reply.text and "Paris time" in reply.text, reply.text
        assert any(hours in reply.text for hours in paris_hours), reply.text
        assert "UTC" not in reply.text and "08:00–16:00" not in reply.text


def test_a_safety_reply_without_the_platform_tells_the_hours_in_utc(down_actions):
    """The client's zone can't be read: the safety reply still comes, the hours named in UTC."""
    reply = down_actions.run("action_safety_reply", tracker(
        user("I want to end it all", intent="self_harm"), client_id="c-chloe"))
    assert "112" in reply.text and "Monday to Wednesday, 08:00–16:00 (UTC)" in reply.text


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
            [bot("Sorry, I can't reach your account right now. Please try again"),
             slot(REASON, "platform_unavailable")],
            "platform_unavailable",
            "normal",
        ),
        (
            [user_event(missed("qwerty")), {"event": "action", "name": "action_fallback"}],
            "not_understood",
            "normal",
        ),
        (
            [bot("I'm really sorry you're going through this, and I'm glad you said something."),
             slot(REASON, "safety")],
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


def test_second_miss_in_a_row_offers_a_person_with_the_topics_and_hands_over_only_on_yes(
        actions):
    """Through the gateway, two misunderstandings in a row *offer* a person beside the topics the
    assistant can help with; nobody is handed over (no handoff, no pause) until the client
    accepts, and then the reason is "not_understood"."""
    previous = [user_event(missed("qwerty")), {"event": "action", "name": "action_fallback"}]
    reply = actions.run("action_fallback",
                        tracker(missed("zxcv"), history=previous, live_handoff=True))
    assert "shall I pass you to them?" in reply.text
    assert PERSON in reply.buttons and "/ask_credits" in reply.payloads
    assert "/book_session" in reply.payloads
    assert reply.customs == [{"review": "fallback"}] and not reply.has_event("pause")
    accepted = previous + [user_event(missed("zxcv")),
                           {"event": "action", "name": "action_fallback"}, bot(reply.text)]
    handoff = actions.run("action_handoff", tracker(user("/request_human"), history=accepted,
                                                    live_handoff=True))
    assert handoff.customs == [{"handoff": {"reason": "not_understood", "priority": "normal"}}]


def test_a_message_not_understood_is_marked_for_the_review_queue(actions):
    """The fallback after nlu_fallback and the out-of-scope answer mark the message for the
    gateway's review queue; the core fallback (understood, just unforeseen) does not."""
    assert actions.run("action_fallback", tracker(missed())).customs == [{"review": "fallback"}]
    scope = actions.run("action_out_of_scope", tracker(user("weather?", intent="out_of_scope")))
    assert scope.customs == [{"review": "out_of_scope"}]
    assert actions.run("action_fallback", tracker(user("sara", intent="inform"))).customs == []


# -- the hand-off's reason comes from the handoff_reason slot, not from earlier wording ----------

APOLOGY = "Sorry, I can't reach your account right now. Please try again in a few minutes."


def _handoff(actions, history=(), **kwargs):
    reply = actions.run("action_handoff", tracker(user("/request_human"), history=list(history),
                                                  live_handoff=True, **kwargs))
    return reply.customs[0]["handoff"]


def test_the_reason_follows_the_slot_whatever_the_apology_said(actions):
    """Another wording with the slot set is still a platform failure; the old wording without
    the slot is a plain request (so rewording the apology can't change the queue)."""
    reworded = [bot("Our systems are having a moment."), slot(REASON, "platform_unavailable")]
    assert _handoff(actions, reworded) == {"reason": "platform_unavailable", "priority": "normal"}
    assert _handoff(actions, [bot(APOLOGY)]) == {"reason": "requested", "priority": "high"}


def test_the_platform_reason_counts_only_right_after_the_apology(actions):
    """Something else said since the apology (a help topic here): the user simply asked."""
    history = [bot(APOLOGY), slot(REASON, "platform_unavailable"), action("action_listen"),
               user_event(user("how do I get a receipt", intent="faq")), action("utter_faq"),
               bot("Receipts for sessions you've paid are on your Payments page.")]
    assert _handoff(actions, history) == {"reason": "requested", "priority": "high"}


def test_the_safety_reason_holds_for_the_rest_of_the_session(actions):
    """After a safety reply and a later, unrelated exchange, a person is still urgent."""
    history = [action("action_listen"), user_event(user("/ask_credits")),
               action("action_check_credits"), bot("You have 4 of your 6 credits left.")]
    reply = _handoff(actions, history, slots={REASON: "safety"})
    assert reply == {"reason": "safety", "priority": "urgent"}


def test_the_safety_net_of_the_fallback_records_the_safety_reason(actions):
    """A risk phrase the NLU missed: the safety reply sets handoff_reason to "safety"."""
    reply = actions.run("action_fallback", tracker(missed("honestly I want to kill myself")))
    assert "112" in reply.text and reply.slots[REASON] == "safety"


def test_the_platform_apology_records_its_reason(down_actions):
    """The apology sets handoff_reason; a safety reason already there is kept."""
    reply = down_actions.run("action_check_credits", tracker(user("/ask_credits")))
    assert "can't reach your account" in reply.text
    assert reply.slots[REASON] == "platform_unavailable"
    kept = down_actions.run("action_check_credits",
                            tracker(user("/ask_credits"), slots={REASON: "safety"}))
    assert "can't reach your account" in kept.text and REASON not in kept.slots


def test_a_person_asked_for_after_the_apology_is_queued_as_platform_unavailable(
        actions, down_actions):
    """The apology's own events, kept as Rasa keeps them, make the next hand-off's reason."""
    apology = down_actions.run("action_list_invoices", tracker(user("/ask_invoices")))
    history = [action("action_list_invoices"), bot(apology.text, apology.buttons),
               *apology.events]
    assert _handoff(actions, history) == {"reason": "platform_unavailable", "priority": "normal"}


def unsure(intent: str, confidence: float, text: str = "credits for the series?") -> dict:
    """What rasa_addons/account_gate.py makes of an account intent it isn't sure of."""
    return missed(text, intent_ranking=[{"name": "nlu_fallback", "confidence": confidence},
                                        {"name": intent, "confidence": confidence},
                                        {"name": "out_of_scope", "confidence": 0.05}])


@pytest.mark.parametrize(("intent", "question"), [
    ("ask_credits", "Do you want to see your remaining credits?"),
    ("ask_upcoming_sessions", "Do you want to see your upcoming sessions?"),
    ("cancel_session", "Do you want to cancel a session?"),
    ("book_session", "Do you want to book a session?"),
])
def test_an_account_intent_the_nlu_was_not_sure_of_is_asked_first(actions, intent, question):
    """No data shown and no flow started: a Yes/No question, Yes runs it, No doesn't."""
    reply = actions.run("action_fallback", tracker(unsure(intent, 0.62)))
    assert reply.text == question
    assert reply.buttons == [{"title": "Yes", "payload": f"/{intent}"},
                             {"title": "No", "payload": "/deny"}]
    assert reply.events == []


def test_inside_a_form_an_unsure_account_intent_is_not_asked_first(actions):
    """Mid-booking, the question being asked stays the question: the closest topics instead."""
    reply = actions.run("action_fallback", tracker(unsure("book_session", 0.62),
                                                   active_loop="booking_form",
                                                   requested_slot="booking_start"))
    assert "Do you want" not in reply.text

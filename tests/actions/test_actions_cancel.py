"""Cancelling a session: choosing it, the 24-hour warning, and what the platform says."""

from __future__ import annotations

from tests.helpers.action_trackers import bot, tracker, user

BOOKING_ID, CONFIRMED = "cancel_booking_id", "cancel_confirmed"


def form_turn(message, *, client_id, requested=None, slots=None, **kwargs):
    return tracker(
        message,
        client_id=client_id,
        form="cancel_form",
        requested_slot=requested,
        slots=slots,
        **kwargs,
    )


def upcoming_of(sandbox, client_id):
    return sandbox.get(f"/api/v1/clients/{client_id}/bookings").json()["bookings"]


def test_start_cancellation_clears_the_answers_and_keeps_a_chosen_session(actions):
    """Fresh answers; a Cancel button's booking id is kept."""
    reply = actions.run(
        "action_start_cancellation",
        tracker(user('/cancel_session{"cancel_booking_id":"b-dan-5"}'), slots={CONFIRMED: True}),
    )
    assert reply.slots == {BOOKING_ID: "b-dan-5", CONFIRMED: None}


def test_the_only_upcoming_session_is_chosen_when_cancelling_starts(actions, sandbox):
    """Dan has one session: "cancel my session" picks it."""
    reply = actions.run(
        "validate_cancel_form",
        form_turn(user("cancel my session", intent="cancel_session"), client_id="c-dan"),
    )
    assert reply.slots == {BOOKING_ID: "b-dan-5"}


def test_a_typed_professional_picks_their_session(actions, sandbox):
    """ "the one with Sara" picks Anna's session with Sara."""
    [booking] = upcoming_of(sandbox, "c-anna")
    reply = actions.run(
        "validate_cancel_form",
        form_turn(
            user("the one with Sara", intent="inform"), client_id="c-anna", requested=BOOKING_ID
        ),
    )
    assert reply.slots == {BOOKING_ID: booking["id"]}


def test_no_cancellable_sessions_says_so_and_ends_the_form(actions, sandbox):
    """Chloe has nothing booked: say so, and requested_slot None ends the form."""
    reply = actions.run(
        "validate_cancel_form",
        form_turn(user("cancel my session", intent="cancel_session"), client_id="c-chloe"),
    )
    assert "no upcoming sessions that can be cancelled" in reply.text
    assert reply.slots["requested_slot"] is None


def test_the_session_question_has_a_button_per_cancellable_session(actions, sandbox):
    """Buttons carry the booking id; a way to keep everything as it is."""
    reply = actions.run(
        "action_ask_cancel_booking_id", form_turn(user("/cancel_session"), client_id="c-dan")
    )
    assert '/inform{"cancel_booking_id":"b-dan-5"}' in reply.payloads
    assert "Physiotherapy session with Jón Einarsson" in reply.text
    assert "/stop" in reply.payloads


def test_cancelling_dans_session_warns_about_the_24_hour_rule(actions, sandbox):
    """Dan's session is in 20 hours: penalty warning and the credit note before "Cancel ...?"."""
    reply = actions.run(
        "action_ask_cancel_confirmed",
        form_turn(
            user("/x"), client_id="c-dan", requested=BOOKING_ID, slots={BOOKING_ID: "b-dan-5"}
        ),
    )
    assert reply.text.startswith("This session starts within 24 hours")
    assert "penalty under the professional's terms" in reply.text
    assert "may still be charged in credits" in reply.text and "professional decides" in reply.text
    assert "Cancel Physiotherapy session with Jón Einarsson" in reply.text
    assert reply.payloads == ["/affirm", "/deny"]


def test_cancelling_after_the_warning_acknowledges_the_late_cancellation(actions, sandbox):
    """Confirmed after the warning: cancelled with acknowledge_late; the platform's words shown."""
    warning = actions.run(
        "action_ask_cancel_confirmed",
        form_turn(
            user("/x"), client_id="c-dan", requested=BOOKING_ID, slots={BOOKING_ID: "b-dan-5"}
        ),
    )
    # What Rasa keeps of the question: its message, then its events (cancel_late_warned).
    history = [{"event": "action", "name": "action_start_cancellation"}, bot(warning.text),
               *warning.events]
    reply = actions.run(
        "action_submit_cancellation",
        tracker(
            user("/affirm"),
            client_id="c-dan",
            history=history,
            slots={BOOKING_ID: "b-dan-5", CONFIRMED: True},
        ),
    )
    assert reply.text.startswith("Cancelled: Physiotherapy session with Jón Einarsson")
    assert "professional decides" in reply.text
    assert upcoming_of(sandbox, "c-dan") == []
    assert reply.slots == {BOOKING_ID: None, CONFIRMED: None}


def test_a_late_cancellation_without_the_warning_is_not_acknowledged(actions, sandbox):
    """No warning shown in this cancellation: nothing cancelled; the warning and a way to go on."""
    reply = actions.run(
        "action_submit_cancellation",
        tracker(
            user("/affirm"),
            client_id="c-dan",
            history=[{"event": "action", "name": "action_start_cancellation"}],
            slots={BOOKING_ID: "b-dan-5", CONFIRMED: True},
        ),
    )
    assert "within 24 hours" in reply.text and "haven't cancelled it" in reply.text
    assert '/cancel_session{"cancel_booking_id":"b-dan-5"}' in reply.payloads
    assert len(upcoming_of(sandbox, "c-dan")) == 1


def test_cancelling_annas_session_days_ahead_gives_the_credit_back(actions, sandbox):
    """No warning days ahead; the platform says the credit is back."""
    [booking] = upcoming_of(sandbox, "c-anna")
    question = actions.run(
        "action_ask_cancel_confirmed",
        form_turn(
            user("/x"), client_id="c-anna", requested=BOOKING_ID, slots={BOOKING_ID: booking["id"]}
        ),
    )
    assert "24 hours" not in question.text
    reply = actions.run(
        "action_submit_cancellation",
        tracker(
            user("/affirm"), client_id="c-anna", slots={BOOKING_ID: booking["id"], CONFIRMED: True}
        ),
    )
    assert "credit is back" in reply.text


def test_a_completed_session_cannot_be_cancelled(actions, sandbox):
    """409 booking_completed: "already completed, so it can't be cancelled"."""
    reply = actions.run(
        "action_submit_cancellation",
        tracker(
            user("/affirm"), client_id="c-anna", slots={BOOKING_ID: "b-anna-1", CONFIRMED: True}
        ),
    )
    assert "already completed, so it can't be cancelled" in reply.text


def test_declining_leaves_the_booking_as_it_is(actions, sandbox):
    """cancel_confirmed False: the form's stop message; nothing cancelled."""
    reply = actions.run(
        "action_submit_cancellation",
        tracker(user("/deny"), client_id="c-dan", slots={BOOKING_ID: "b-dan-5", CONFIRMED: False}),
    )
    assert reply.response_names == ["utter_cancel_stopped"]
    assert len(upcoming_of(sandbox, "c-dan")) == 1


# -- the 24-hour warning is remembered in the cancel_late_warned slot, not found in the text -----

WARNED = "cancel_late_warned"


def test_the_confirmation_question_records_whether_it_warned(actions, sandbox):
    """Dan's session is inside 24 hours: warned; Anna's is days ahead: not warned."""
    dan = actions.run("action_ask_cancel_confirmed", form_turn(
        user("/x"), client_id="c-dan", requested=BOOKING_ID, slots={BOOKING_ID: "b-dan-5"}))
    assert dan.slots == {WARNED: True}
    [booking] = upcoming_of(sandbox, "c-anna")
    anna = actions.run("action_ask_cancel_confirmed", form_turn(
        user("/x"), client_id="c-anna", requested=BOOKING_ID, slots={BOOKING_ID: booking["id"]}))
    assert anna.slots == {WARNED: False}


def test_the_slot_not_the_wording_acknowledges_a_late_cancellation(actions, sandbox):
    """The warning's words in the history without the slot: refused, nothing cancelled. The slot
    with other words: cancelled. Rewording the warning can't change what is acknowledged."""
    confirmed = {BOOKING_ID: "b-dan-5", CONFIRMED: True}
    words_only = actions.run("action_submit_cancellation", tracker(
        user("/affirm"), client_id="c-dan", slots={**confirmed, WARNED: False},
        history=[{"event": "action", "name": "action_start_cancellation"},
                 bot("This session starts within 24 hours. Cancelling now may incur a penalty.")]))
    assert "haven't cancelled it" in words_only.text
    assert len(upcoming_of(sandbox, "c-dan")) == 1
    slot_only = actions.run("action_submit_cancellation", tracker(
        user("/affirm"), client_id="c-dan", slots={**confirmed, WARNED: True},
        history=[{"event": "action", "name": "action_start_cancellation"},
                 bot("Heads up: it's soon.")]))
    assert slot_only.text.startswith("Cancelled: Physiotherapy session with Jón Einarsson")
    assert upcoming_of(sandbox, "c-dan") == []


def test_a_new_cancellation_forgets_an_earlier_warning(actions):
    """action_start_cancellation unsets a cancel_late_warned left by an earlier cancellation."""
    reply = actions.run("action_start_cancellation",
                        tracker(user("/cancel_session"), slots={WARNED: True}))
    assert reply.slots[WARNED] is None


def test_stopping_a_cancellation_forgets_the_warning(actions):
    """`stop` during the cancel form unsets cancel_late_warned with the form's answers."""
    reply = actions.run("action_stop_booking", tracker(
        user("/stop"), active_loop="cancel_form", slots={BOOKING_ID: "b-dan-5", WARNED: True}))
    assert reply.slots[WARNED] is None and reply.slots[BOOKING_ID] is None


# -- what the team reads in the console's transcript ---------------------------------------------

def test_a_cancellation_through_the_gateway_leaves_an_activity_line_for_the_team(actions, sandbox):
    """Dan's late cancellation, acknowledged: the client reads the cancellation, the team an
    internal line of what was done."""
    reply = actions.run(
        "action_submit_cancellation",
        tracker(user("/affirm"), client_id="c-dan", live_handoff=True,
                slots={BOOKING_ID: "b-dan-5", CONFIRMED: True, WARNED: True}),
    )
    assert reply.text.startswith("Cancelled: Physiotherapy session with Jón Einarsson")
    assert {"activity": "Cancelled Physiotherapy session with Jón (1 credit, inside 24 hours)"} \
        in reply.customs


def test_a_refused_cancellation_leaves_an_activity_line_too(actions, sandbox):
    reply = actions.run(
        "action_submit_cancellation",
        tracker(user("/affirm"), client_id="c-anna", live_handoff=True,
                slots={BOOKING_ID: "b-anna-1", CONFIRMED: True}),
    )
    assert "already completed" in reply.text
    assert {"activity": "Cancellation of b-anna-1 refused: booking completed"} in reply.customs

"""Booking: starting, reading each answer, asking each question, confirming and booking once."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from actions.formatting import parse_time, slot_title
from tests.helpers.action_trackers import bot, slot, tracker, user
from tests.helpers.sandbox_api import set_service_price

PRO, SERVICE, START, CONFIRMED = (
    "booking_professional_id",
    "booking_service_id",
    "booking_start",
    "booking_confirmed",
)
QUOTE = "booking_quote"
SARA = {PRO: "p-sara", SERVICE: "s-sara-therapy"}
JON = {PRO: "p-jon", SERVICE: "s-jon-physio"}
WHO_BUTTONS = [
    bot(
        "Who would you like to book with?",
        [
            {"title": "Dr. Sara Hansen", "payload": '/inform{"booking_professional_id":"p-sara"}'},
            {"title": "Maya Patel", "payload": '/inform{"booking_professional_id":"p-maya"}'},
        ],
    )
]


def form_turn(message, *, client_id="c-anna", requested=None, slots=None, **kwargs):
    return tracker(
        message,
        client_id=client_id,
        form="booking_form",
        requested_slot=requested,
        slots=slots,
        **kwargs,
    )


def bookings_of(sandbox, client_id):
    return sandbox.get(f"/api/v1/clients/{client_id}/bookings", params={"status": "all"}).json()[
        "bookings"
    ]


def later_slot(sandbox, professional="p-sara"):
    """An open slot more than 24 hours away."""
    return next(s for s in sandbox.slots(professional) if not s["inside_cancellation_window"])


def soon_slot(sandbox, professional="p-sara"):
    """An open slot within 24 hours."""
    return next(s for s in sandbox.slots(professional) if s["inside_cancellation_window"])


# -- starting ----------------------------------------------------------------------------------


def test_start_booking_clears_the_answers_and_sets_a_new_request_id(actions, sandbox):
    """Every answer is unset and booking_request_id is a fresh hex id."""
    state = tracker(user("/book_session"), slots={PRO: "p-jon", START: "x", CONFIRMED: True})
    reply = actions.run("action_start_booking", state)
    assert (
        reply.slots[PRO] is None and reply.slots[START] is None and reply.slots[CONFIRMED] is None
    )
    assert len(reply.slots["booking_request_id"]) == 32
    again = actions.run("action_start_booking", state)
    assert again.slots["booking_request_id"] != reply.slots["booking_request_id"]


def test_start_booking_keeps_the_professional_of_a_book_button(actions):
    """/book_session{"booking_professional_id":"p-maya"} pre-fills Maya."""
    reply = actions.run(
        "action_start_booking", tracker(user('/book_session{"booking_professional_id":"p-maya"}'))
    )
    assert reply.slots[PRO] == "p-maya"


@pytest.mark.parametrize(
    "client, typed, expected",
    [
        ("c-anna", "I'd like to book with dr hansen", "p-sara"),
        ("c-anna", "book me in with Jon", "p-jon"),
        ("c-ben", "I want to book physio", "p-jon"),    # Ben's connection
        ("c-anna", "I want to book physio", None),       # new to Anna: shown, not chosen
        ("c-chloe", "how do I book a therapist then", None),
        ("c-anna", "I want to book a session", None),
    ],
)
def test_a_professional_named_when_booking_starts_is_filled_in(actions, sandbox, client, typed,
                                                               expected):
    """As the form starts, a typed name fills the professional and service; a clear title only
    for a professional the client has booked before (someone new is shown first)."""
    reply = actions.run("validate_booking_form",
                        form_turn(user(typed, intent="book_session"), client_id=client))
    assert reply.slots.get(PRO) == expected
    if expected is None:
        assert reply.events == []


def test_a_client_without_connections_is_shown_who_fits_with_services_prices_and_credits(
        actions, sandbox):
    """Chloe (no connections, 4 credits) asks to book a therapist: the professionals that fit,
    each with profession, service, length and price, that a credit pays, and a button each; no
    time is asked yet."""
    reply = actions.run("action_ask_booking_professional_id",
                        form_turn(user("how do I book a therapist then", intent="book_session"),
                                  client_id="c-chloe", requested=PRO))
    assert "Dr. Sara Hansen, clinical psychologist: Individual therapy, 50 min, 18,000 ISK" \
        in reply.text
    assert "paid with 1 of your sponsored credits (4 left)" in reply.text
    assert "Maya Patel" not in reply.text and "When would you like" not in reply.text
    assert "Dr. Sara Hansen" in reply.button_titles and "Someone else" in reply.button_titles


def test_with_no_credits_left_the_professionals_say_self_paid(actions, sandbox):
    """Ben (no credits) asking for a coach: Maya, new to him, with her price, self-paid."""
    reply = actions.run("action_ask_booking_professional_id",
                        form_turn(user("I'd like to book a coach", intent="book_session"),
                                  client_id="c-ben", requested=PRO))
    assert "Maya Patel, career coach: Coaching session, 60 min, 120 GBP" in reply.text
    assert "self-paid" in reply.text


def test_everyone_is_shown_when_nothing_in_particular_was_asked(actions, sandbox):
    reply = actions.run("action_ask_booking_professional_id",
                        form_turn(user("I want to book a session", intent="book_session"),
                                  client_id="c-chloe", requested=PRO))
    assert sorted(t for t in reply.button_titles if t != "Stop") == [
        "Dr. Sara Hansen", "Jón Einarsson", "Maya Patel"]
    assert "Someone else" not in reply.button_titles


# -- reading answers (validate_booking_form) ---------------------------------------------------


def test_validation_does_nothing_when_called_right_after_the_message(actions, sandbox):
    """Rasa's action_extract_slots call (latest action action_listen) gets no events or messages."""
    state = tracker(
        user('/inform{"booking_professional_id":"p-sara"}'),
        active_loop="booking_form",
        requested_slot=PRO,
    )
    reply = actions.run("validate_booking_form", state)
    assert reply.events == [] and reply.responses == []


def test_a_professional_button_fills_the_professional_and_their_only_service(actions, sandbox):
    """The payload entity wins; one service means the service question is skipped."""
    reply = actions.run(
        "validate_booking_form",
        form_turn(user('/inform{"booking_professional_id":"p-sara"}'), requested=PRO),
    )
    assert reply.slots == SARA


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("dr hansen", "p-sara"),
        ("sara", "p-sara"),
        ("jon", "p-jon"),
        ("Jón Einarsson", "p-jon"),
        ("jon einarson", "p-jon"),
        ("maya", "p-maya"),
        ("the physio", "p-jon"),
        ("the second one", "p-maya"),
    ],
)
def test_a_typed_professional_is_matched_against_the_hub(actions, sandbox, typed, expected):
    """Accent-insensitive names (a typo allowed), titles, and "the second one" of the buttons."""
    reply = actions.run(
        "validate_booking_form",
        form_turn(user(typed, intent="inform"), requested=PRO, history=WHO_BUTTONS),
    )
    assert reply.slots[PRO] == expected


def test_an_unknown_professional_is_refused_politely(actions, sandbox):
    """A typed answer that matches nobody: slot unset and "please pick one of the buttons"."""
    reply = actions.run(
        "validate_booking_form", form_turn(user("Dr Who", intent="inform"), requested=PRO)
    )
    assert reply.slots == {PRO: None}
    assert "couldn't find that professional" in reply.text and "buttons" in reply.text


def test_a_professional_outside_the_hub_is_refused(actions, sandbox):
    """A payload with an id that isn't in the client's hub is not accepted."""
    reply = actions.run(
        "validate_booking_form",
        form_turn(user('/inform{"booking_professional_id":"p-nobody"}'), requested=PRO),
    )
    assert reply.slots[PRO] is None


@pytest.mark.parametrize(
    "message",
    [
        user("how do I add a card", intent="faq"),
        user("I want to end it all", intent="self_harm"),
        user("stop", intent="stop"),
        user("talk to a person", intent="request_human"),
        user('/change_booking{"change_field":"booking_start"}'),
    ],
)
def test_a_message_that_is_not_an_answer_gets_no_events(actions, sandbox, message):
    """No SlotSet: Rasa rejects the form for this turn and the rules answer the message."""
    reply = actions.run("validate_booking_form", form_turn(message, requested=PRO))
    assert reply.events == [] and reply.responses == []


def test_without_a_client_id_the_form_says_sign_in_and_ends(actions, sandbox):
    """No verified client: the sign-in message once, and requested_slot None ends the form."""
    reply = actions.run("validate_booking_form", form_turn(user("/book_session"), client_id=None))
    assert "sign in" in reply.text
    assert reply.slots["requested_slot"] is None and reply.slots[CONFIRMED] is None


def test_choosing_another_professional_resets_the_later_answers(actions, sandbox):
    """Maya instead of Sara at the confirmation: new service, no time, no confirmation."""
    slots = {**SARA, START: later_slot(sandbox)["start"]}
    reply = actions.run(
        "validate_booking_form",
        form_turn(
            user('/inform{"booking_professional_id":"p-maya"}'), requested=CONFIRMED, slots=slots
        ),
    )
    assert reply.slots[PRO] == "p-maya" and reply.slots[SERVICE] == "s-maya-coaching"
    assert reply.slots[START] is None and reply.slots[CONFIRMED] is None


@pytest.mark.parametrize("intent", ["inform", "change_booking", "nlu_fallback"])
@pytest.mark.parametrize("asked", [START, CONFIRMED])
def test_another_professional_typed_mid_form_is_read_as_an_answer(actions, sandbox, intent,
                                                                   asked):
    """"with Maya instead" while a time or the confirmation is asked: Maya, and her service."""
    slots = {**SARA, START: later_slot(sandbox)["start"]} if asked == CONFIRMED else SARA
    reply = actions.run("validate_booking_form",
                        form_turn(user("with Maya instead", intent=intent), requested=asked,
                                  slots=slots))
    assert reply.slots[PRO] == "p-maya" and reply.slots[SERVICE] == "s-maya-coaching"


def test_a_word_that_is_not_a_name_switches_no_one_mid_form(actions, sandbox):
    """"the later one please" while a time is asked names no professional: Sara stays."""
    reply = actions.run("validate_booking_form",
                        form_turn(user("the later one please", intent="inform"), requested=START,
                                  slots=SARA))
    assert PRO not in reply.slots


def test_a_typed_time_matching_one_open_slot_is_taken(actions, sandbox):
    """Typing a slot as it's shown ("Tue 3 Mar, 10:00") picks that slot."""
    slot = later_slot(sandbox)
    reply = actions.run(
        "validate_booking_form",
        form_turn(user(slot_title(slot["start"]), intent="inform"), requested=START, slots=SARA),
    )
    assert reply.slots == {START: slot["start"]}


def test_a_typed_time_matching_several_slots_shows_the_ones_that_fit(actions, sandbox):
    """ "Friday afternoon": no slot taken yet; the question lists only Friday afternoon times."""
    turn = form_turn(user("Friday afternoon", intent="inform"), requested=START, slots=SARA)
    assert actions.run("validate_booking_form", turn).slots == {START: None}
    question = actions.run("action_ask_booking_start", turn)
    assert question.text.startswith("These open times fit")
    times = [p for p in question.payloads if "booking_start" in p]
    assert times and all(t.startswith("Fri ") for t in question.button_titles[: len(times)])
    assert all(12 <= int(t.split(", ")[1][:2]) < 17 for t in question.button_titles[: len(times)])


def test_a_time_button_for_a_slot_that_is_not_open_is_refused(actions, sandbox):
    """A stale time button: "isn't open any more", slot unset."""
    reply = actions.run(
        "validate_booking_form",
        form_turn(
            user('/inform{"booking_start":"2026-03-01T03:00:00Z"}'), requested=START, slots=SARA
        ),
    )
    assert reply.slots == {START: None} and "isn't open" in reply.text


@pytest.mark.parametrize("intent, expected", [("affirm", True), ("deny", False)])
def test_yes_or_no_answers_the_confirmation(actions, sandbox, intent, expected):
    """affirm -> True, deny -> False, only when the confirmation was asked."""
    slots = {**SARA, START: later_slot(sandbox)["start"]}
    reply = actions.run(
        "validate_booking_form", form_turn(user(f"/{intent}"), requested=CONFIRMED, slots=slots)
    )
    assert reply.slots == {CONFIRMED: expected}


# -- asking ------------------------------------------------------------------------------------


def test_the_professional_question_lists_connections_first_with_a_stop_button(actions, sandbox):
    """Anna: Sara and Maya (connections), then Jón; payloads inform the professional id."""
    reply = actions.run("action_ask_booking_professional_id", form_turn(user("/book_session")))
    assert reply.button_titles == ["Dr. Sara Hansen", "Maya Patel", "Jón Einarsson", "Stop"]
    assert reply.payloads[0] == '/inform{"booking_professional_id":"p-sara"}'
    assert reply.payloads[-1] == "/stop"


def test_the_service_question_shows_length_and_price(actions, sandbox):
    """Each service button: name, minutes and price."""
    reply = actions.run(
        "action_ask_booking_service_id", form_turn(user("/x"), slots={PRO: "p-maya"})
    )
    assert reply.button_titles[0] == "Coaching session · 60 min · 120 GBP"
    assert reply.payloads[0] == '/inform{"booking_service_id":"s-maya-coaching"}'


def test_the_time_question_offers_up_to_eight_real_open_slots(actions, sandbox):
    """Buttons are open slots from the availability, titled like "Mon 2 Mar, 11:00"."""
    reply = actions.run(
        "action_ask_booking_start",
        form_turn(user('/inform{"booking_professional_id":"p-sara"}'), requested=PRO, slots=SARA),
    )
    open_starts = [s["start"] for s in sandbox.slots("p-sara")]
    times = [b for b in reply.buttons if '"booking_start":"' in b["payload"]]
    assert len(times) == 8
    for b in times:
        start = b["payload"].split('"booking_start":"')[1].rstrip('"}')
        assert start in open_starts and b["title"] == slot_title(start)


def test_the_confirmation_states_who_when_and_one_credit(actions, sandbox):
    """Anna (4 credits): who, when, "1 credit (you'll have 3 left)"; no warning days ahead."""
    slot = later_slot(sandbox)
    reply = actions.run(
        "action_ask_booking_confirmed",
        form_turn(user("/x"), requested=START, slots={**SARA, START: slot["start"]}),
    )
    assert len(reply.responses) == 1
    assert "Individual therapy" in reply.text and "Dr. Sara Hansen" in reply.text
    assert slot_title(slot["start"]) + " (Reykjavik time)" in reply.text  # Anna's zone
    assert "1 credit (you'll have 3 left)" in reply.text
    assert "24 hours" not in reply.text
    assert reply.button_titles == ["Yes, book it", "Change time", "Change professional", "Stop"]
    assert reply.payloads[1] == '/change_booking{"change_field":"booking_start"}'


def test_the_confirmation_for_ben_says_self_paid_with_an_invoice(actions, sandbox):
    """Ben (no credits): self-paid, price to the professional, an invoice with a payment link."""
    slot = later_slot(sandbox)
    reply = actions.run(
        "action_ask_booking_confirmed",
        form_turn(
            user("/x"), client_id="c-ben", requested=START, slots={**SARA, START: slot["start"]}
        ),
    )
    assert "self-paid: 18,000 ISK to the professional" in reply.text
    assert "invoice with a payment link" in reply.text


def test_the_confirmation_warns_first_about_a_session_within_24_hours(actions, sandbox):
    """A slot inside the window: the cancellation-policy warning comes first, in the one message."""
    slot = soon_slot(sandbox)
    reply = actions.run(
        "action_ask_booking_confirmed",
        form_turn(user("/x"), requested=START, slots={**SARA, START: slot["start"]}),
    )
    assert len(reply.responses) == 1
    assert reply.text.startswith("Please note: this session starts within 24 hours")
    assert "penalty under the professional's terms" in reply.text
    assert reply.text.index("24 hours") < reply.text.index("Shall I book")


def test_a_slot_taken_before_the_confirmation_asks_for_a_time_again(actions, sandbox):
    """Quote answers 409: say so, unset the time and ask for it with fresh buttons."""
    slot = later_slot(sandbox)
    body = {"professional_id": "p-sara", "service_id": "s-sara-therapy", "start": slot["start"]}
    assert sandbox.book("c-dan", body).status_code == 201
    reply = actions.run(
        "action_ask_booking_confirmed",
        form_turn(user("/x"), requested=START, slots={**SARA, START: slot["start"]}),
    )
    assert "can't be booked any more" in reply.text
    assert reply.slots == {START: None, "requested_slot": START}
    assert slot["start"] not in " ".join(reply.payloads)


# -- booking -----------------------------------------------------------------------------------


def confirmed_answers(actions, slot, key="request-key-0001", client_id="c-anna", pro=SARA):
    """The answers after the confirmation was shown (its quote kept) and answered "yes"."""
    answers = {**pro, START: slot["start"], "booking_request_id": key}
    shown = actions.run("action_ask_booking_confirmed",
                        form_turn(user("/x"), client_id=client_id, requested=START,
                                  slots=answers))
    return {**answers, QUOTE: shown.slots[QUOTE], CONFIRMED: True}


def _after_a_lost_answer(actions, sandbox, client_id, made_anyway):
    """A booking confirmed while the platform was too slow (its quote marked `unsettled`; made
    by the platform or not), then another attempt confirmed: the tracker of its submit."""
    first, second = [s for s in sandbox.slots("p-sara") if not s["inside_cancellation_window"]][:2]
    lost = confirmed_answers(actions, first, key=f"lost-{client_id}", client_id=client_id)
    if made_anyway:
        body = {"professional_id": "p-sara", "service_id": "s-sara-therapy",
                "start": first["start"]}
        assert sandbox.book(client_id, body).status_code == 201
    retry = confirmed_answers(actions, second, key=f"retry-{client_id}", client_id=client_id)
    history = [slot(QUOTE, {**lost[QUOTE], "unsettled": True}), slot(QUOTE, retry[QUOTE])]
    return tracker(user("/affirm"), client_id=client_id, slots=retry, history=history), second


def test_a_retry_after_a_booking_whose_answer_was_lost_books_nothing_more(actions, sandbox):
    """The lost booking was made: the client is told so, and the retry books nothing."""
    state, _ = _after_a_lost_answer(actions, sandbox, "c-ben", made_anyway=True)
    before = len(bookings_of(sandbox, "c-ben"))
    reply = actions.run("action_submit_booking", state)
    assert len(bookings_of(sandbox, "c-ben")) == before
    assert reply.text.startswith("Your earlier booking went through after all. Booked: ")
    assert reply.slots[QUOTE]["settles"] == "lost-c-ben"
    again = actions.run("action_submit_booking", tracker(
        user("/affirm"), client_id="c-ben", slots=state["slots"],
        history=[*state["events"][2:-2], slot(QUOTE, reply.slots[QUOTE])]))
    assert again.text.startswith("Booked: ")  # settled: the next booking is made


def test_a_retry_after_a_booking_that_never_reached_the_platform_books_the_retry(actions,
                                                                                sandbox):
    state, second = _after_a_lost_answer(actions, sandbox, "c-dan", made_anyway=False)
    before = len(bookings_of(sandbox, "c-dan"))
    reply = actions.run("action_submit_booking", state)
    assert len(bookings_of(sandbox, "c-dan")) == before + 1
    assert second["start"] in [b["start"] for b in bookings_of(sandbox, "c-dan")]
    assert reply.text.startswith("Booked: ")
    assert reply.slots[QUOTE]["settles"] == "lost-c-dan"


def test_submitting_twice_with_the_same_request_id_books_once(actions, sandbox):
    """A repeated submit replays the first booking: one booking in the sandbox, same answer."""
    slot = later_slot(sandbox)
    before = len(bookings_of(sandbox, "c-anna"))
    state = tracker(user("/affirm"), slots=confirmed_answers(actions, slot))
    first = actions.run("action_submit_booking", state)
    second = actions.run("action_submit_booking", state)
    assert len(bookings_of(sandbox, "c-anna")) == before + 1
    assert first.text == second.text
    assert first.text.startswith("Booked: Individual therapy with Dr. Sara Hansen on ")
    assert "Paid with 1 credit" in first.text and "confirmation e-mail" in first.text
    assert first.slots[PRO] is None and first.slots[CONFIRMED] is None
    assert "booking_request_id" not in first.slots  # kept, so a repeat replays


def test_bens_booking_is_self_paid_and_his_invoice_is_sent(actions, sandbox):
    """Ben books self-paid: the answer names the invoice; the sandbox holds it and e-mailed him."""
    slot = later_slot(sandbox)
    reply = actions.run(
        "action_submit_booking",
        tracker(user("/affirm"), client_id="c-ben",
                slots=confirmed_answers(actions, slot, client_id="c-ben")),
    )
    unpaid = sandbox.get("/api/v1/clients/c-ben/invoices").json()["invoices"]
    new = [i for i in unpaid if i["session_start"] == slot["start"]]
    assert len(new) == 1
    assert "self-paid" in reply.text and f"invoice {new[0]['number']}" in reply.text
    assert "payment link" in reply.text
    assert sandbox.outbox(to="ben@northwind.example")


def test_a_slot_taken_at_the_last_moment_books_nothing_and_offers_another_time(actions, sandbox):
    """409 slot_unavailable: apologise, nothing booked, a button to pick another time."""
    slot = later_slot(sandbox)
    answers = confirmed_answers(actions, slot)
    body = {"professional_id": "p-sara", "service_id": "s-sara-therapy", "start": slot["start"]}
    assert sandbox.book("c-dan", body).status_code == 201
    before = len(bookings_of(sandbox, "c-anna"))
    reply = actions.run(
        "action_submit_booking", tracker(user("/affirm"), slots=answers)
    )
    assert "nothing was booked" in reply.text
    assert '/book_session{"booking_professional_id":"p-sara"}' in reply.payloads
    assert len(bookings_of(sandbox, "c-anna")) == before


def test_declining_books_nothing(actions, sandbox):
    """booking_confirmed False: "Okay, nothing booked." and no booking."""
    slot = later_slot(sandbox)
    before = len(bookings_of(sandbox, "c-anna"))
    answers = {**confirmed_answers(actions, slot), CONFIRMED: False}
    reply = actions.run("action_submit_booking", tracker(user("/deny"), slots=answers))
    assert reply.text == "Okay, nothing booked."
    assert len(bookings_of(sandbox, "c-anna")) == before


def test_a_form_that_ended_early_submits_nothing_and_says_nothing(actions, sandbox):
    """booking_confirmed unset (sign-in or platform failure already explained): silence."""
    reply = actions.run("action_submit_booking", tracker(user("/book_session"), client_id=None))
    assert reply.responses == []


# -- changing and stopping ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "message, cleared",
    [
        (user('/change_booking{"change_field":"booking_start"}'), {START, CONFIRMED}),
        (
            user('/change_booking{"change_field":"booking_professional_id"}'),
            {PRO, SERVICE, START, CONFIRMED},
        ),
        (user("can I choose a different time", intent="change_booking"), {START, CONFIRMED}),
        (
            user("I'd prefer someone else", intent="change_booking"),
            {PRO, SERVICE, START, CONFIRMED},
        ),
    ],
)
def test_changing_an_answer_clears_it_and_the_later_ones(actions, message, cleared):
    """The chosen answer and every later one are unset, so the form asks again."""
    state = tracker(
        message,
        active_loop="booking_form",
        requested_slot=CONFIRMED,
        slots={**SARA, START: "2026-03-03T10:00:00Z"},
    )
    reply = actions.run("action_change_booking_answer", state)
    assert set(reply.slots) == cleared and all(v is None for v in reply.slots.values())


@pytest.mark.parametrize(
    "typed, asked, cleared",
    [
        ("none of those suit me", START, {START, CONFIRMED}),
        ("neither of them works for me", START, {START, CONFIRMED}),
        ("none of these", PRO, {PRO, SERVICE, START, CONFIRMED}),
    ],
)
def test_none_of_those_asks_the_same_question_again(actions, typed, asked, cleared):
    """The options of the question being asked don't suit: that question again, not the one
    before it (read as an answer to the question asked)."""
    state = tracker(user(typed, intent="change_booking"), active_loop="booking_form",
                    requested_slot=asked, slots=SARA)
    reply = actions.run("action_change_booking_answer", state)
    assert set(reply.slots) == cleared and all(v is None for v in reply.slots.values())


@pytest.mark.parametrize(
    "loop, response",
    [("booking_form", "utter_booking_stopped"), ("cancel_form", "utter_cancel_stopped")],
)
def test_stop_leaves_the_form_and_says_nothing_happened(actions, loop, response):
    """The form ends (ActiveLoop None, requested_slot None) with the form's own stop message."""
    reply = actions.run(
        "action_stop_booking",
        tracker(user("/stop"), active_loop=loop, requested_slot=PRO, slots=SARA),
    )
    assert reply.response_names == [response]
    assert reply.has_event("active_loop", name=None)
    assert reply.slots["requested_slot"] is None and reply.slots[PRO] is None


# -- booking the terms the confirmation showed -------------------------------------------------


def dan_bookings_at(sandbox, start):
    return [b for b in bookings_of(sandbox, "c-dan") if b["start"] == start]


def jon_slots(sandbox):
    """Two open slots with Jón more than 24 hours away: the one Dan books here, another tab's."""
    later = [s for s in sandbox.slots("p-jon") if not s["inside_cancellation_window"]]
    return later[0], later[1]


def test_the_confirmation_keeps_its_quote_and_its_yes_names_the_terms(actions, sandbox):
    """booking_quote: for which answers, paid how, at what price; the Yes carries the terms."""
    slot = later_slot(sandbox)
    answers = {**SARA, START: slot["start"], "booking_request_id": "request-key-0002"}
    reply = actions.run("action_ask_booking_confirmed",
                        form_turn(user("/x"), requested=START, slots=answers))
    assert reply.slots[QUOTE] == {
        "request_id": "request-key-0002", "professional_id": "p-sara",
        "service_id": "s-sara-therapy", "start": slot["start"], "payment": "credits",
        "price": {"amount": 0, "currency": "ISK"},
    }
    assert reply.payloads[0] == '/affirm{"confirmed_quote":"credits:0:ISK"}'


def test_the_last_credit_spent_before_the_yes_books_nothing_until_the_new_terms_are_accepted(
        actions, sandbox):
    """Dan (1 credit) is shown "paid with 1 credit"; another tab spends it; his "Yes" books
    nothing, the question says what changed and offers the self-paid booking with its price; a
    double-clicked old "Yes" is not a yes to it; "Book it self-paid" books once, self-paid."""
    slot, other = jon_slots(sandbox)
    answers = confirmed_answers(actions, slot, key="dan-request-0001", client_id="c-dan", pro=JON)
    assert answers[QUOTE]["payment"] == "credits"
    old_yes = '/affirm{"confirmed_quote":"credits:0:ISK"}'
    other_tab = {"professional_id": "p-jon", "service_id": "s-jon-physio", "start": other["start"]}
    assert sandbox.book("c-dan", other_tab).json()["payment_method"] == "credits"

    submitted = actions.run("action_submit_booking",
                            tracker(user(old_yes), client_id="c-dan", slots=answers))
    assert dan_bookings_at(sandbox, slot["start"]) == []
    assert submitted.responses == []
    assert submitted.has_event("active_loop", name="booking_form")
    assert submitted.slots == {CONFIRMED: None}  # the answers and the shown quote are kept

    asking = {**answers, CONFIRMED: None}
    asked = actions.run("action_ask_booking_confirmed",
                        form_turn(user(old_yes), client_id="c-dan", requested=CONFIRMED,
                                  slots=asking))
    assert "your last sponsored credit has been used" in asked.text
    assert "self-paid: 12,000 ISK to the professional" in asked.text
    assert "Nothing is booked yet" in asked.text
    assert "Physiotherapy session (45 min) with Jón Einarsson" in asked.text
    assert asked.button_titles == ["Book it self-paid", "Choose another time", "Stop"]
    assert asked.payloads[0] == '/affirm{"confirmed_quote":"self:12000:ISK"}'
    assert asked.payloads[1] == '/change_booking{"change_field":"booking_start"}'
    new_terms = {**asking, QUOTE: asked.slots[QUOTE]}
    assert new_terms[QUOTE]["payment"] == "self"

    stale = actions.run("validate_booking_form",
                        form_turn(user(old_yes), client_id="c-dan", requested=CONFIRMED,
                                  slots=new_terms))
    assert stale.slots == {CONFIRMED: None} and "earlier terms" in stale.text
    accepted = actions.run("validate_booking_form",
                           form_turn(user(asked.payloads[0]), client_id="c-dan",
                                     requested=CONFIRMED, slots=new_terms))
    assert accepted.slots == {CONFIRMED: True}
    assert dan_bookings_at(sandbox, slot["start"]) == []

    state = tracker(user(asked.payloads[0]), client_id="c-dan",
                    slots={**new_terms, CONFIRMED: True})
    booked = actions.run("action_submit_booking", state)
    again = actions.run("action_submit_booking", state)
    assert booked.text.startswith("Booked: Physiotherapy session with Jón Einarsson")
    assert "self-paid (12,000 ISK" in booked.text and "invoice INV-" in booked.text
    assert again.text == booked.text
    [made] = dan_bookings_at(sandbox, slot["start"])
    assert made["payment_method"] == "self_paid"


def test_a_price_changed_before_the_yes_is_explained_and_booked_only_at_the_new_price(
        actions, sandbox, sandbox_database):
    """Ben is quoted 12,000 ISK; Jón's price goes up; his "Yes" books nothing and the question
    names both prices."""
    slot, _ = jon_slots(sandbox)
    answers = confirmed_answers(actions, slot, client_id="c-ben", pro=JON)
    set_service_price(sandbox_database, "s-jon-physio", 13500)
    submitted = actions.run("action_submit_booking",
                            tracker(user("/affirm"), client_id="c-ben", slots=answers))
    assert submitted.slots == {CONFIRMED: None}
    assert submitted.has_event("active_loop", name="booking_form")
    asked = actions.run("action_ask_booking_confirmed",
                        form_turn(user("/affirm"), client_id="c-ben", requested=CONFIRMED,
                                  slots={**answers, CONFIRMED: None}))
    assert "price of this session has changed from 12,000 ISK to 13,500 ISK" in asked.text
    assert asked.button_titles[0] == "Book it for 13,500 ISK"
    booked = actions.run("action_submit_booking",
                         tracker(user(asked.payloads[0]), client_id="c-ben",
                                 slots={**answers, QUOTE: asked.slots[QUOTE]}))
    assert "self-paid (13,500 ISK" in booked.text
    booked_prices = [b["price"] for b in bookings_of(sandbox, "c-ben")
                     if b["start"] == slot["start"]]
    assert booked_prices == [{"amount": 13500, "currency": "ISK"}]


@pytest.mark.parametrize("quote", [
    None,
    {"request_id": "request-key-0001", "professional_id": "p-sara",
     "service_id": "s-sara-therapy", "start": "2026-03-20T10:00:00Z", "payment": "credits",
     "price": {"amount": 0, "currency": "ISK"}},
], ids=["no-quote", "a-quote-for-another-time"])
def test_a_yes_without_a_quote_for_these_answers_books_nothing_and_confirms_again(
        actions, sandbox, quote):
    slot = later_slot(sandbox)
    before = len(bookings_of(sandbox, "c-anna"))
    answers = {**SARA, START: slot["start"], "booking_request_id": "request-key-0001",
               CONFIRMED: True, QUOTE: quote}
    reply = actions.run("action_submit_booking", tracker(user("/affirm"), slots=answers))
    assert len(bookings_of(sandbox, "c-anna")) == before
    assert reply.slots == {CONFIRMED: None}
    assert reply.has_event("active_loop", name="booking_form")


def test_chloe_is_offered_times_on_her_own_clock(actions, sandbox):
    """Chloe lives in Paris (an hour ahead of UTC in winter, two in summer): the buttons show
    her time, the question names it, the payload keeps the platform's UTC start."""
    reply = actions.run("action_ask_booking_start",
                        form_turn(user("/x"), client_id="c-chloe", requested=START, slots=SARA))
    assert "The next open times (Paris time):" in reply.text
    first = next(b for b in reply.buttons if b["payload"] != "/stop")
    start = first["payload"].split('"booking_start":"')[1].split('"')[0]
    paris = parse_time(start).astimezone(ZoneInfo("Europe/Paris"))
    assert first["title"] == f"{paris:%a} {paris.day} {paris:%b}, {paris:%H:%M}"
    assert first["title"] != slot_title(start)  # not the UTC clock


def _times_question(sandbox):
    slots = sandbox.slots("p-sara")
    return slots, bot("When would you like to see Sara? The next open times (Reykjavik time):", [
        {"title": slot_title(s["start"]),
         "payload": f'/inform{{"booking_start":"{s["start"]}"}}'} for s in slots[:8]])


def test_after_a_side_question_the_times_come_back_briefly(actions, sandbox):
    """Anna asks about the cancellation policy while the times are on screen: the form asks
    again with the next three times and "More times", not the whole list."""
    slots, asked = _times_question(sandbox)
    reply = actions.run("action_ask_booking_start", form_turn(
        user("what's the cancellation policy?", intent="faq"), requested=START, slots=SARA,
        history=[asked]))
    assert reply.text.startswith("Back to your booking with Sara")
    times = [b for b in reply.buttons if '"booking_start":"' in b["payload"]]
    assert [b["title"] for b in times] == [slot_title(s["start"]) for s in slots[:3]]
    more = next(b for b in reply.buttons if b["title"] == "More times")
    assert "change_booking" in more["payload"] and "booking_start" in more["payload"]
    assert reply.button_titles[-1] == "Stop"


def test_more_times_or_a_first_question_get_the_whole_list(actions, sandbox):
    """Asked for the first time, or after "More times" (a change of the answer): up to eight."""
    slots, asked = _times_question(sandbox)
    first = actions.run("action_ask_booking_start",
                        form_turn(user("/x"), requested=START, slots=SARA))
    again = actions.run("action_ask_booking_start", form_turn(
        user('/change_booking{"change_field":"booking_start"}', intent="change_booking"),
        requested=START, slots=SARA, history=[asked]))
    for reply in (first, again):
        assert len([b for b in reply.buttons if '"booking_start":"' in b["payload"]]) == min(
            8, len(slots))
        assert "More times" not in reply.button_titles


def _a_day_and_its_later_days(slots):
    """The first day with two or more open times and at least two more later in its week."""
    days = sorted({parse_time(s["start"]).date() for s in slots})
    for day in days:
        on_day = [s for s in slots if parse_time(s["start"]).date() == day]
        later = [s for s in slots
                 if 0 < (parse_time(s["start"]).date() - day).days <= 6 - day.weekday()]
        if len(on_day) >= 2 and len(later) >= 2:
            return on_day, later
    raise AssertionError("the demo hub has no day with more open times later in its week")


def test_later_that_week_is_read_against_the_times_shown_before(actions, sandbox):
    """Shown one day's times, "anything later that week?" is no slot yet, and the question lists
    only the later days of that week."""
    on_day, later = _a_day_and_its_later_days(sandbox.slots("p-sara", days=14))
    shown = bot("These open times fit (Reykjavik time):", [
        {"title": slot_title(s["start"]), "payload": f'/inform{{"booking_start":"{s["start"]}"}}'}
        for s in on_day])
    turn = form_turn(user("anything later that week?", intent="inform"), requested=START,
                     slots=SARA, history=[shown])
    assert actions.run("validate_booking_form", turn).slots == {START: None}
    question = actions.run("action_ask_booking_start", turn)
    assert question.text.startswith("These open times fit"), question.text
    offered = [p.split('"booking_start":"')[1].split('"')[0]
               for p in question.payloads if "booking_start" in p]
    assert offered == [s["start"] for s in later][:8]


def test_anything_earlier_as_a_change_of_time_offers_the_times_before_the_ones_shown(actions,
                                                                                   sandbox):
    """The NLU reads "anything earlier?" as changing the booking: the time is asked again, with
    only the open times before the first one shown."""
    slots = sandbox.slots("p-sara", days=14)
    third_day = sorted({parse_time(s["start"]).date() for s in slots})[2]
    on_day = [s for s in slots if parse_time(s["start"]).date() == third_day]
    earlier = [s["start"] for s in slots if parse_time(s["start"]).date() < third_day]
    shown = bot("These open times fit (Reykjavik time):", [
        {"title": slot_title(s["start"]), "payload": f'/inform{{"booking_start":"{s["start"]}"}}'}
        for s in on_day])
    turn = form_turn(user("anything earlier?", intent="change_booking"), requested=START,
                     slots=SARA, history=[shown])
    assert actions.run("action_change_booking_answer", turn).slots.get(START, "unset") is None
    question = actions.run("action_ask_booking_start", turn)
    assert question.text.startswith("These open times fit"), question.text
    offered = [p.split('"booking_start":"')[1].split('"')[0]
               for p in question.payloads if "booking_start" in p]
    assert earlier and offered == earlier[:8]

"""Credits, connections and upcoming sessions, answered from the live sandbox's demo hub."""

from __future__ import annotations

from tests.helpers.action_trackers import bot, tracker, user, user_event


def test_credits_for_anna_state_remaining_used_allowance_hub_and_expiry(actions, sandbox):
    """Anna has 4 of 6 left on the Northwind hub until 31 December."""
    reply = actions.run("action_check_credits", tracker(user("/ask_credits"), client_id="c-anna"))
    assert "4 of your 6 sponsored credits left" in reply.text
    assert "2 used" in reply.text and "Northwind Wellbeing Hub" in reply.text
    assert "31 December" in reply.text
    assert "own expense" not in reply.text


def test_credits_for_ben_give_the_seed_article_and_a_book_button(actions, sandbox):
    """Ben has none left: he can go on at his own expense, paid by invoice to the professional."""
    reply = actions.run("action_check_credits", tracker(user("/ask_credits"), client_id="c-ben"))
    text = reply.text
    assert "used all 6" in text
    assert "own expense" in text and "ask your professional to schedule" in text
    assert "invoice" in text and "payment page" in text
    assert {"title": "Book a session", "payload": "/book_session"} in reply.buttons


def test_a_second_credits_question_is_answered_briefly(actions, sandbox):
    """The whole way forward was given in this conversation (the credits answer, or the help
    topic "when credits run out"): asked again, Ben gets the numbers and a one-line reminder."""
    first = actions.run("action_check_credits", tracker(user("/ask_credits"), client_id="c-ben"))
    again = actions.run("action_check_credits", tracker(
        user("so how many credits are left?", intent="ask_credits"), client_id="c-ben",
        history=[user_event(user("/ask_credits")), bot(first.text)]))
    assert "used all 6" in again.text and "As I said above" in again.text
    assert "ask your professional to schedule" not in again.text
    assert len(again.text) < len(first.text) / 2
    topic = ("When your sponsored credits run out, you can keep using the hub at your own "
             "expense. Book through the hub as usual, ...")
    after_topic = actions.run("action_check_credits", tracker(
        user("/ask_credits"), client_id="c-ben",
        history=[user_event(user("what if I run out?")), bot(topic)]))
    assert "As I said above" in after_topic.text
    assert "request more sponsored credits" in after_topic.text  # not said yet: said now


def test_a_new_session_gets_the_whole_text_again(actions, sandbox):
    first = actions.run("action_check_credits", tracker(user("/ask_credits"), client_id="c-ben"))
    later = actions.run("action_check_credits", tracker(
        user("/ask_credits"), client_id="c-ben",
        history=[bot(first.text), {"event": "session_started"}]))
    assert "ask your professional to schedule" in later.text


def test_credits_with_one_left_mention_that_the_professional_can_request_more(actions, sandbox):
    """Dan has 1 left: the answer says a professional can request more credits."""
    reply = actions.run("action_check_credits", tracker(user("/ask_credits"), client_id="c-dan"))
    assert "1 of your 6 sponsored credits left" in reply.text
    assert "request more sponsored credits" in reply.text


def test_connections_for_anna_list_sara_and_maya_with_prices_and_book_buttons(actions, sandbox):
    """Each connection: name, service, price, and a Book button that pre-fills the booking."""
    reply = actions.run(
        "action_list_connections", tracker(user("/ask_connections"), client_id="c-anna")
    )
    assert "Dr. Sara Hansen" in reply.text and "Maya Patel" in reply.text
    assert "Jón" not in reply.text
    assert "Individual therapy, 50 min, 18,000 ISK" in reply.text
    assert "120 GBP" in reply.text
    assert {
        "title": "Book with Sara",
        "payload": '/book_session{"booking_professional_id":"p-sara"}',
    } in reply.buttons
    assert "Book with Maya" in reply.button_titles


def test_connections_for_chloe_point_to_her_hub(actions, sandbox):
    """No connections yet: the answer names her hub, its link and where the dashboard links it."""
    reply = actions.run(
        "action_list_connections", tracker(user("/ask_connections"), client_id="c-chloe")
    )
    assert "no connections yet" in reply.text
    assert "Globex Wellbeing Hub" in reply.text and "/hubs/globex" in reply.text
    assert "Go to Hub" in reply.text and "My Wellbeing Hub" in reply.text


def test_upcoming_sessions_for_dan_note_the_24_hour_window(actions, sandbox):
    """Dan's session with Jón in 20 hours: who, what, when, how paid, and the penalty note."""
    reply = actions.run(
        "action_list_upcoming_sessions", tracker(user("/ask_upcoming_sessions"), client_id="c-dan")
    )
    assert "Physiotherapy session with Jón Einarsson" in reply.text
    assert "(Reykjavik time)" in reply.text and "paid with 1 credit" in reply.text
    assert "within 24 hours" in reply.text and "penalty" in reply.text
    assert "/cancel_session" in reply.payloads


def test_upcoming_sessions_for_chloe_say_none_and_offer_booking(actions, sandbox):
    """No upcoming sessions: say so, with a Book button."""
    reply = actions.run(
        "action_list_upcoming_sessions",
        tracker(user("/ask_upcoming_sessions"), client_id="c-chloe"),
    )
    assert "no upcoming sessions" in reply.text
    assert "/book_session" in reply.payloads

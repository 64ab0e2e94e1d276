"""Help topics said once (action_help_topic): the chosen topic's answer in full the first time;
briefly when this conversation has said it already, here or in the credits answer."""
from __future__ import annotations

from actions.credits import OWN_EXPENSE
from tests.helpers.action_trackers import bot, tracker, user, user_event

RUN_OUT = ("When your sponsored credits run out, you can keep using the hub at your own expense. "
           "Book through the hub as usual, or ask your professional to schedule the session for "
           "you; either way, payment is arranged with the professional.")
RECEIPTS = ("Receipts for sessions you've paid are on your Payments page. Open a session's "
            "\"View details\" and choose \"Print\".")


def asked(text: str, key: str, answer: str) -> dict:
    return user(text, intent="faq", response_selector={"faq": {"response": {
        "intent_response_key": key, "responses": [{"text": answer}],
        "utter_action": f"utter_{key}"}}})


def test_a_help_topic_is_answered_in_full_the_first_time(actions):
    reply = actions.run("action_help_topic",
                        tracker(asked("how do I get a receipt", "faq/receipts", RECEIPTS)))
    assert reply.text == RECEIPTS


def test_the_same_topic_again_is_answered_in_a_line(actions):
    question = asked("where are my receipts?", "faq/receipts", RECEIPTS)
    reply = actions.run("action_help_topic", tracker(question, history=[
        user_event(asked("how do I get a receipt", "faq/receipts", RECEIPTS)), bot(RECEIPTS)]))
    assert reply.text == ("As I said above: Receipts for sessions you've paid are on your "
                          "Payments page.")


def test_after_the_credits_answer_running_out_is_a_reminder_not_the_text_again(actions):
    """Ben was told he has none left and how to go on: "what happens when credits run out?"
    gets one line back, not the same paragraph a second time."""
    credits = f"You've used all 6 of your sponsored credits.\n\n{OWN_EXPENSE}"
    reply = actions.run("action_help_topic", tracker(
        asked("what happens when my credits run out?", "faq/credits_run_out", RUN_OUT),
        client_id="c-ben", history=[user_event(user("/ask_credits")), bot(credits)]))
    assert reply.text.startswith("As I said above") and "own expense" in reply.text
    assert len(reply.text) < len(RUN_OUT)


def test_a_new_session_answers_in_full_again(actions):
    reply = actions.run("action_help_topic", tracker(
        asked("how do I get a receipt", "faq/receipts", RECEIPTS),
        history=[bot(RECEIPTS), {"event": "session_started"}]))
    assert reply.text == RECEIPTS

"""Account questions on Slack and Telegram: never answered in a shared chat ("private chat
only", marked `private_only` for the asker alone), the linking instructions in an unlinked
private chat, the sign-in message in the widget as before. Driven over the action server's real
protocol against the live sandbox."""
from __future__ import annotations

import pytest

from actions.common import PRIVATE_CHAT_ONLY
from tests.actions.conftest import SUPPORT_ENV
from tests.helpers.action_trackers import tracker, user

ACCOUNT_QUESTIONS = [  # every capability that reads or changes the account, with its question
    ("action_check_credits", "/ask_credits"),
    ("action_list_connections", "/ask_connections"),
    ("action_list_upcoming_sessions", "/ask_sessions"),
    ("action_list_invoices", "/ask_invoices"),
    ("action_resend_invoice", "/resend_invoice"),
    ("action_ask_booking_professional_id", "/book_session"),  # the booking form's first step
    ("action_ask_cancel_booking_id", "/cancel_session"),      # the cancel form's first step
]


def chat(channel: str, client_id: str | None, private: bool, message: str) -> dict:
    return tracker(user(message), client_id=client_id,
                   slots={"channel": channel, "private": private})


@pytest.mark.parametrize("action, question", ACCOUNT_QUESTIONS)
@pytest.mark.parametrize("channel", ["slack", "telegram"])
def test_an_account_question_in_a_shared_chat_is_for_a_private_chat_only(actions, sandbox,
                                                                         action, question,
                                                                         channel):
    """Whoever asks, nothing of an account is said where others read along; the answer is
    marked for the asker alone."""
    reply = actions.run(action, chat(channel, None, False, question))
    [response] = reply.responses
    assert response["text"] == PRIVATE_CHAT_ONLY
    assert response["private_only"] is True
    assert "credit" not in reply.text.lower().replace("private chat", "")


@pytest.mark.parametrize("action, question", ACCOUNT_QUESTIONS)
def test_an_unlinked_private_chat_gets_the_linking_instructions(actions, sandbox, action,
                                                                question):
    reply = actions.run(action, chat("telegram", None, True, question))
    assert "isn't linked to this chat" in reply.text
    assert SUPPORT_ENV["SIGN_IN_URL"] in reply.text and "link 123456" in reply.text
    assert all(not r.get("private_only") for r in reply.responses)


def test_a_linked_private_chat_is_answered_from_the_account(actions, sandbox):
    reply = actions.run("action_check_credits", chat("slack", "c-anna", True, "/ask_credits"))
    assert "4 of your 6 sponsored credits left" in reply.text
    assert all(not r.get("private_only") for r in reply.responses)


def test_the_widget_keeps_its_sign_in_message(actions, sandbox):
    reply = actions.run("action_check_credits", chat("widget", None, True, "/ask_credits"))
    assert SUPPORT_ENV["SIGN_IN_URL"] in reply.text and "client dashboard" in reply.text
    assert "link 123456" not in reply.text


def test_a_form_asked_in_a_shared_chat_ends_with_private_chat_only(actions, sandbox):
    """The booking form's validation refuses in a shared chat too, and ends the form."""
    state = tracker(user("/inform"), client_id=None, form="booking_form",
                    requested_slot="booking_professional_id",
                    slots={"channel": "slack", "private": False})
    reply = actions.run("validate_booking_form", state)
    assert reply.text == PRIVATE_CHAT_ONLY
    assert reply.has_event("active_loop", name=None) or reply.slots.get("requested_slot") is None


@pytest.mark.parametrize("metadata, private", [({"private": False}, False),
                                               ({"private": True}, True), ({}, True)])
def test_session_start_takes_private_from_the_metadata(actions, metadata, private):
    """False only when the gateway says the chat is shared; a plain REST client is one-to-one."""
    state = tracker(user("hi"), client_id=None,
                    slots={"session_started_metadata": {"channel": "slack", **metadata}})
    assert actions.run("action_session_start", state).slots["private"] is private

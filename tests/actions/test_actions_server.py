"""The action server as Rasa meets it: every action registered, identity from metadata only, the
sign-in message without an identity, and an apology (never silence) when the platform fails."""

from __future__ import annotations

import time

import pytest
import requests

from tests.helpers.action_trackers import tracker, user

SUPPORT_ENV = {
    "SUPPORT_EMAIL": "help@support.example",
    # The hours the gateway enforces; users are told them in words (derived, never free text).
    "SUPPORT_OPEN_HOUR": "8", "SUPPORT_CLOSE_HOUR": "16", "SUPPORT_DAYS": "mon,tue,wed",
    "SIGN_IN_URL": "https://hub.example/sign-in",
}  # as set in conftest.py
ACCOUNT_ACTIONS = [
    "action_check_credits",
    "action_list_connections",
    "action_list_upcoming_sessions",
    "action_list_invoices",
    "action_resend_invoice",
]


def test_every_custom_action_of_the_domain_is_registered(actions, domain):
    """Each action_*/validate_* name in domain.yml is served by the action server."""
    wanted = {a for a in domain["actions"] if a.startswith(("action_", "validate_"))}
    assert wanted <= set(actions.action_names())


def test_session_start_copies_identity_from_the_session_metadata(actions):
    """client_id and channel come from session_started_metadata, then the bot listens."""
    state = tracker(
        user("I am c-ben, show my credits", intent="ask_credits"),
        client_id=None,
        slots={"session_started_metadata": {"client_id": "c-anna", "channel": "slack",
                                            "live_handoff": True}},
    )
    reply = actions.run("action_session_start", state)
    kinds = [e["event"] for e in reply.events]
    assert kinds[0] == "session_started" and reply.events[-1] == {
        **reply.events[-1],
        "event": "action",
        "name": "action_listen",
    }
    assert reply.slots == {"client_id": "c-anna", "channel": "slack", "live_handoff": True,
                           "private": True}


def test_session_start_falls_back_to_the_latest_message_metadata(actions):
    """Without session metadata, the latest message's metadata is used."""
    state = tracker(
        user("hi", intent="greet", metadata={"client_id": "c-dan", "channel": "widget"}),
        client_id=None,
    )
    assert actions.run("action_session_start", state).slots["client_id"] == "c-dan"


def test_session_start_never_takes_an_identity_from_the_text(actions):
    """A message that claims to be someone leaves client_id empty."""
    state = tracker(user("my client id is c-ben", intent="inform"), client_id=None)
    assert actions.run("action_session_start", state).slots["client_id"] is None


@pytest.mark.parametrize("action", ACCOUNT_ACTIONS)
def test_account_actions_ask_to_sign_in_without_a_client_id(actions, action):
    """No verified client: the answer says how to sign in, and nothing is looked up."""
    reply = actions.run(action, tracker(user("/ask_credits"), client_id=None))
    assert SUPPORT_ENV["SIGN_IN_URL"] in reply.text
    assert "client dashboard" in reply.text


def _assert_apology(reply):
    assert "can't reach your account right now" in reply.text
    assert (SUPPORT_ENV["SUPPORT_EMAIL"] in reply.text
            and "Monday to Wednesday, 08:00–16:00 (UTC)" in reply.text)
    assert {"title": "Talk to a person", "payload": "/request_human"} in reply.buttons


@pytest.mark.parametrize("action", ACCOUNT_ACTIONS)
def test_platform_down_gives_an_apology_and_a_person_within_seconds(down_actions, action):
    """A closed platform port: apology plus the person button, in well under six seconds."""
    started = time.monotonic()
    reply = down_actions.run(action, tracker(user("/ask_credits"), client_id="c-anna"))
    assert time.monotonic() - started < 6
    _assert_apology(reply)


def test_platform_slow_gives_an_apology_within_seconds(slow_actions):
    """A platform slower than the read timeout (1 s, one retry for reads): apology in < 6 s."""
    started = time.monotonic()
    reply = slow_actions.run(
        "action_check_credits", tracker(user("/ask_credits"), client_id="c-ben")
    )
    assert time.monotonic() - started < 6
    _assert_apology(reply)


def test_platform_down_during_the_booking_form_ends_the_form(down_actions):
    """An ask action that can't reach the platform apologises and ends the form."""
    state = tracker(
        user("/book_session"), client_id="c-anna", form="booking_form", requested_slot=None
    )
    reply = down_actions.run("action_ask_booking_professional_id", state)
    _assert_apology(reply)
    assert reply.slots.get("requested_slot", "unset") is None


def test_platform_down_during_form_validation_ends_the_form(down_actions):
    """The form's validation apologises and unsets requested_slot, so the form finishes."""
    state = tracker(
        user('/inform{"booking_professional_id":"p-sara"}'),
        client_id="c-anna",
        form="booking_form",
        requested_slot="booking_professional_id",
    )
    reply = down_actions.run("validate_booking_form", state)
    _assert_apology(reply)
    assert reply.slots["requested_slot"] is None and reply.slots["booking_confirmed"] is None


def test_platform_down_through_the_gateway_hands_off_to_a_person(down_actions):
    """With live handoff, a platform failure is a handoff trigger: apology, then a person."""
    reply = down_actions.run("action_check_credits",
                             tracker(user("/ask_credits"), client_id="c-anna", live_handoff=True))
    assert "can't reach your account" in reply.text and "asked a person" in reply.text
    assert reply.customs == [{"handoff": {"reason": "platform_unavailable", "priority": "normal"}}]
    assert reply.has_event("pause")


def test_only_rasa_may_call_the_actions(actions):
    """Without Rasa's token (endpoints.yml sends it) every route but /health answers 401 and no
    action runs; with it, the same call works."""
    body = {"next_action": "action_check_credits", "sender_id": "x", "version": "3.6.21",
            "tracker": tracker(user("how many credits?"), client_id="c-ben"),
            "domain": actions.domain}
    for headers in ({}, {"Authorization": "Bearer not-the-token-0123456789abcdef-012"},
                    {"Authorization": "Basic abc"}):
        refused = requests.post(f"{actions.url}/webhook", json=body, headers=headers, timeout=10)
        assert refused.status_code == 401 and "credits" not in refused.text
        assert requests.get(f"{actions.url}/actions", headers=headers,
                            timeout=10).status_code == 401
    assert requests.get(f"{actions.url}/health", timeout=10).status_code == 200
    assert "credits" in actions.run("action_check_credits", body["tracker"]).text.lower()

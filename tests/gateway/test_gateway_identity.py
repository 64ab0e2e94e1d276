"""Who the client is comes only from a valid identity token (real Rasa, actions and sandbox)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
import requests

from bot.identity import AUDIENCE, issue_identity_token
from tests.helpers.gateway import WIDGET_SECRET


def start(gateway, body: dict) -> requests.Response:
    return requests.post(f"{gateway.url}/widget/api/conversations", json=body, timeout=10)


def expired_token() -> str:
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    return issue_identity_token("c-ben", WIDGET_SECRET, lifetime=timedelta(minutes=15),
                                now=an_hour_ago)


@pytest.mark.parametrize("token, says", [
    (issue_identity_token("c-ben", "another-secret-entirely-0123456789"), "not valid"),
    (jwt.encode({"sub": "c-ben", "aud": AUDIENCE}, WIDGET_SECRET, algorithm="HS256"), "not valid"),
    (jwt.encode({"sub": "c-ben", "aud": "someone-else", "iat": 1, "exp": 4102444800},
                WIDGET_SECRET, algorithm="HS256"), "not valid"),
    (jwt.encode({"sub": "c-ben", "aud": AUDIENCE, "iat": 1, "exp": 4102444800}, "",
                algorithm="none"), "not valid"),
    ("not.a.jwt", "not valid"),
    ("c-ben", "not valid"),
    (expired_token(), "expired"),
])
def test_a_forged_or_expired_token_gets_401_with_a_clear_message(live_gateway, token, says):
    """Wrong secret, missing claims, another audience, alg none, garbage, a bare id, expired."""
    response = start(live_gateway, {"identity_token": token})
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "invalid_identity_token" and says in error["message"]


def test_a_client_id_in_the_body_is_ignored(live_gateway):
    """Only the token says who the client is."""
    response = start(live_gateway, {"identity_token": None, "client_id": "c-ben"})
    assert response.status_code == 201 and response.json()["signed_in"] is False


def test_without_a_token_the_client_is_asked_to_sign_in_but_gets_help_topics(live_gateway):
    widget = live_gateway.widget()
    assert widget.started["signed_in"] is False
    reply = widget.wait_for_reply(widget.say("how many credits do I have left?")["seq"])
    assert "sign in" in reply["text"].lower()
    sent = widget.say("how do I reset my password?")
    reply = widget.wait_for_reply(sent["seq"])
    assert "sign-in page" in reply["text"].lower() or "sign in page" in reply["text"].lower()


def test_with_bens_token_the_bot_tells_ben_his_credits(live_gateway, assistant):
    assistant.reset_demo_hub()
    widget = live_gateway.widget("c-ben")
    assert widget.started["signed_in"] is True
    reply = widget.wait_for_reply(widget.say("how many credits do I have left?")["seq"])
    assert "all 6" in reply["text"] or "0 of 6" in reply["text"]
    assert "Northwind Wellbeing Hub" in reply["text"]


def test_a_reload_resumes_the_conversation_of_the_same_client(live_gateway):
    """Same key, same identity: the same conversation and its history."""
    widget = live_gateway.widget("c-anna")
    widget.say("hello")
    response = widget.resume()
    assert response.status_code == 200
    assert response.json()["conversation_id"] == widget.id
    assert response.json()["conversation_key"] == widget.key


def test_a_key_with_another_identity_starts_a_new_conversation(live_gateway):
    """Anna's key with Ben's token (or signed out) never opens Anna's conversation."""
    anna = live_gateway.widget("c-anna")
    for token in (issue_identity_token("c-ben", WIDGET_SECRET), None):
        response = start(live_gateway, {"identity_token": token,
                                        "conversation_key": anna.key})
        assert response.status_code == 201
        assert response.json()["conversation_id"] != anna.id
        assert response.json()["conversation_key"] != anna.key


def test_an_unknown_key_starts_a_new_conversation(live_gateway):
    response = start(live_gateway, {"identity_token": None, "conversation_key": "stale-key"})
    assert response.status_code == 201

"""The real Rasa server, started the way `make run` starts it (bot/processes.py rasa_process)."""
from __future__ import annotations

import uuid

import requests

from bot.core.rasa_client import rasa_api_token
from bot.core.rasa_replies import pausing_turn, read_replies, replies_in_tracker
from tests.helpers.stack import Assistant


def test_rasa_starts_with_a_token_that_begins_with_a_dash_and_checks_it(assistant: Assistant):
    """The shared stack's API secret begins with `-` (tests/helpers/stack.py): Rasa started, its
    API takes a JWT signed with that secret and refuses one signed with another."""
    secret = assistant.shared.rasa_token
    assert secret.startswith("-")
    status = f"{assistant.rasa}/status"
    good = {"Authorization": f"Bearer {rasa_api_token(secret)}"}
    assert requests.get(status, headers=good, timeout=10).status_code == 200
    wrong = {"Authorization": f"Bearer {rasa_api_token(secret[1:])}"}
    assert requests.get(status, headers=wrong, timeout=10).status_code == 401


def say(assistant: Assistant, sender: str, message: str, message_id: str) -> list[dict]:
    """One message over the REST channel as the gateway sends it (its id in the metadata)."""
    metadata = {"client_id": "c-ben", "channel": "widget", "locale": "en", "live_handoff": True,
                "message_id": message_id}
    response = assistant.webhook(sender, message, metadata)
    response.raise_for_status()
    return response.json()


def test_the_gateway_finds_each_turn_in_rasas_tracker_as_it_was_answered(assistant: Assistant):
    """What the gateway reads from the tracker after a timeout (bot/core/rasa_replies.py) is what
    Rasa answered: the replies of each turn by the message's id; after an action's handoff, the
    tracker is paused, with that turn's words and handoff request; a message while paused is
    logged and answered with nothing."""
    sender = f"e2e-tracker-{uuid.uuid4().hex[:12]}"
    credits = say(assistant, sender, "how many credits do I have left?", "m-1")
    handoff = say(assistant, sender, "/request_human", "m-2")
    silent = say(assistant, sender, "hello?", "m-3")
    tracker = assistant.tracker(sender)

    assert read_replies(credits).messages and read_replies(handoff).handoff is not None
    assert read_replies(replies_in_tracker(tracker, "m-1") or []) == read_replies(credits)
    assert read_replies(replies_in_tracker(tracker, "m-2") or []) == read_replies(handoff)
    assert silent == [] and replies_in_tracker(tracker, "m-3") == []
    assert replies_in_tracker(tracker, "m-4") is None
    assert pausing_turn(tracker) == read_replies(handoff)

"""The real Rasa server, started the way `make run` starts it (bot/processes.py rasa_process)."""
from __future__ import annotations

import asyncio
import uuid

import requests

from bot.core.answer_events import Understood, understood
from bot.core.rasa_client import TURN_STATE_HEADER, RasaClient, rasa_api_token
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


def test_the_channel_says_what_the_nlu_made_of_the_message_as_the_tracker_does(
        assistant: Assistant):
    """Our REST channel's answer says, in its X-Turn-State header (rasa_addons/turn_state.py),
    what the gateway would otherwise read from the tracker after the turn: the same intent, help
    topic, message id and form (bot/core/answer_events.understood); a caller without the
    channel's secret gets no state."""
    sender = f"e2e-state-{uuid.uuid4().hex[:12]}"
    rasa = RasaClient(assistant.rasa, assistant.shared.rasa_token, assistant.shared.webhook_secret,
                      timeout=120)
    metadata = {"client_id": "c-ben", "channel": "widget", "locale": "en", "live_handoff": True}

    async def turns() -> list[tuple[Understood, Understood]]:
        seen = []
        try:
            for number, text in enumerate(["how do I add a credit card?",
                                           "I want to book a session"]):
                message_id = f"m-{number}"
                answer = await rasa.send(sender, text, {**metadata, "message_id": message_id})
                assert answer.replies and answer.state is not None
                from_tracker = understood(await rasa.latest(sender), message_id)
                seen.append((understood(answer.state, message_id), from_tracker))
        finally:
            await rasa.aclose()
        return seen

    (topic, topic_in_tracker), (booking, booking_in_tracker) = asyncio.run(turns())
    assert topic == topic_in_tracker == Understood("faq", "faq/add_card", in_form=False)
    assert booking == booking_in_tracker
    assert booking.intent == "book_session" and booking.in_form

    refused = requests.post(f"{assistant.rasa}/webhooks/rest/webhook", timeout=30,
                            json={"sender": sender, "message": "hello"})
    assert refused.status_code == 401 and TURN_STATE_HEADER not in refused.headers

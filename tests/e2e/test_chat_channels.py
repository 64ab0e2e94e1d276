"""Slack and Telegram chats through the real Rasa, action server and sandbox: in a shared chat an
account question gets "private chat only", marked `private_only` in the REST channel's answer and
in the tracker; help topics are answered there; an unlinked private chat gets the linking
instructions; the identity slots set through Rasa's HTTP API (as the gateway does when a user
links) are what the actions use."""
from __future__ import annotations

import uuid

import requests

from actions.common import PRIVATE_CHAT_ONLY
from bot.core.rasa_client import rasa_api_token
from tests.e2e.conftest import Chat, text_of


def chat_on(assistant, channel: str, private: bool, client_id: str | None = None) -> Chat:
    chat = Chat(assistant, None)
    chat.metadata = {"client_id": client_id, "channel": channel, "live_handoff": True,
                     "private": private}
    return chat


def test_an_account_question_in_a_shared_chat_is_private_only(assistant):
    chat = chat_on(assistant, "slack", private=False)
    replies = chat.say("how many credits do I have left?")
    assert [r.get("text") for r in replies] == [PRIVATE_CHAT_ONLY]
    assert replies[0]["private_only"] is True
    utterances = [e for e in assistant.tracker(chat.sender)["events"] if e["event"] == "bot"]
    assert utterances[-1]["metadata"].get("private_only") is True


def test_help_topics_are_answered_in_a_shared_chat(assistant):
    replies = chat_on(assistant, "telegram", private=False).say("how do I add a card?")
    assert "card" in text_of(replies).lower()
    assert PRIVATE_CHAT_ONLY not in text_of(replies)
    assert all(not r.get("private_only") for r in replies)


def test_an_unlinked_private_chat_is_told_how_to_link(assistant):
    replies = chat_on(assistant, "telegram", private=True).say("any unpaid invoices?")
    assert "isn't linked to this chat" in text_of(replies) and "link 123456" in text_of(replies)


def test_slots_set_by_the_gateway_on_linking_are_the_identity_the_actions_use(assistant):
    """What `LinkedChannelIntake` posts after a link: the assistant then answers from the
    account, in the same session."""
    chat = chat_on(assistant, "telegram", private=True)
    assert "isn't linked" in text_of(chat.say("how many credits do I have left?"))
    token = rasa_api_token(assistant.shared.rasa_token)
    events = [{"event": "slot", "name": name, "value": value} for name, value in
              {"client_id": "c-anna", "channel": "telegram", "live_handoff": True,
               "private": True}.items()]
    posted = requests.post(f"{assistant.rasa}/conversations/{chat.sender}/tracker/events",
                           json=events, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert posted.status_code == 200, posted.text
    assert "4 of your 6 sponsored credits left" in text_of(
        chat.say("how many credits do I have left?"))


def test_slots_posted_before_rasa_ever_had_the_conversation_still_hold(assistant):
    """A user who links before saying anything else: the events create the tracker, and the
    first message is answered with the identity they set (live handoff included)."""
    sender = f"e2e-{uuid.uuid4().hex[:12]}"
    token = rasa_api_token(assistant.shared.rasa_token)
    events = [{"event": "slot", "name": name, "value": value} for name, value in
              {"client_id": "c-ben", "channel": "telegram", "live_handoff": True,
               "private": True}.items()]
    posted = requests.post(f"{assistant.rasa}/conversations/{sender}/tracker/events",
                           json=events, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert posted.status_code == 200, posted.text
    chat = chat_on(assistant, "telegram", private=True, client_id="c-ben")
    chat.sender = sender
    assert "used all 6" in text_of(chat.say("how many credits do I have left?"))
    slots = assistant.tracker(sender)["slots"]
    assert (slots["client_id"], slots["live_handoff"], slots["private"]) == ("c-ben", True, True)

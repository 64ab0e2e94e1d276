"""Slack and Telegram chats through the real Rasa, action server and sandbox: in a shared chat an
account question gets "private chat only", marked `private_only` in the REST channel's answer and
in the tracker; help topics are answered there; an unlinked private chat gets the linking
instructions; a new session with the identity, started through Rasa's HTTP API by the gateway's
own client when a user links, is what the actions use."""
from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

from actions.common import PRIVATE_CHAT_ONLY
from bot.core.rasa_client import RasaClient
from bot.core.turn import identity_slots
from tests.e2e.conftest import Chat, text_of


def start_session(assistant, sender: str, client_id: str | None, channel: str) -> None:
    """What LinkedChannelIntake does after a link: the gateway's Rasa client, its JWT."""
    async def main() -> None:
        rasa = RasaClient(assistant.rasa, assistant.shared.rasa_token,
                          assistant.shared.webhook_secret, timeout=20)
        try:
            await rasa.start_session(sender, identity_slots(client_id, channel, shared=False))
        finally:
            await rasa.aclose()

    with ThreadPoolExecutor(max_workers=1) as thread:  # Playwright may hold this thread's loop
        thread.submit(asyncio.run, main()).result()


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


def test_a_new_session_started_on_linking_is_the_identity_the_actions_use(assistant):
    """Linked in the middle of a conversation: the next question is answered from the account."""
    chat = chat_on(assistant, "telegram", private=True)
    assert "isn't linked" in text_of(chat.say("how many credits do I have left?"))
    start_session(assistant, chat.sender, "c-anna", "telegram")
    chat.metadata["client_id"] = "c-anna"
    assert "4 of your 6 sponsored credits left" in text_of(
        chat.say("how many credits do I have left?"))


def test_a_session_started_before_rasa_ever_had_the_conversation_holds(assistant):
    """A user who links before saying anything else: the first message is answered with that
    identity (Rasa's SQL tracker store reads the session back by timestamp)."""
    sender = f"e2e-{uuid.uuid4().hex[:12]}"
    start_session(assistant, sender, "c-ben", "telegram")
    chat = chat_on(assistant, "telegram", private=True, client_id="c-ben")
    chat.sender = sender
    assert "used all 6" in text_of(chat.say("how many credits do I have left?"))
    slots = assistant.tracker(sender)["slots"]
    assert (slots["client_id"], slots["live_handoff"], slots["private"]) == ("c-ben", True, True)


def test_unlinking_mid_booking_ends_the_form_with_the_old_identity(assistant):
    chat = chat_on(assistant, "telegram", private=True, client_id="c-anna")
    chat.sender = f"e2e-{uuid.uuid4().hex[:12]}"
    start_session(assistant, chat.sender, "c-anna", "telegram")
    assert "Sara" in text_of(chat.say("I want to book a session"))
    start_session(assistant, chat.sender, None, "telegram")
    chat.metadata["client_id"] = None
    tracker = assistant.tracker(chat.sender)
    assert tracker["active_loop"] in ({}, None) or not tracker["active_loop"].get("name")
    assert "isn't linked" in text_of(chat.say("how many credits do I have left?"))

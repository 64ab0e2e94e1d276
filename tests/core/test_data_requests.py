"""A client asking for a copy of their conversations, or for them to be erased, in many
phrasings; and what is about something else (bot/core/data_requests.py)."""
from __future__ import annotations

import pytest

from bot.core.data_requests import DataRequest, read_request

EXPORT = [
    "send me my chat history", "can I get a copy of my conversations?", "I want a copy of my data",
    "email me my chat history", "please send me all my messages", "download my chat history",
    "I'd like to see all my conversations", "export my chats", "give me my data",
    "can you send me a transcript of my chats", "send me everything you have on me",
    "I want access to my data", "data export please", "subject access request",
    "could you email me a copy of my chat history please", "Send me my chat log",
    "send me a copy of all of my conversations with you", "may I have my chat history"]
ERASE = [
    "delete my chat history", "please erase my conversations", "remove all my messages",
    "wipe my data", "forget me", "I want you to delete all my chats", "right to be forgotten",
    "can you delete my conversation history", "clear my chat history", "get rid of my messages",
    "delete everything you have on me", "erase all of my data please", "forget about me please"]
NEITHER = [
    "how do I delete my card?", "delete my booking", "cancel my session",
    "what's my booking history", "how many credits do I have", "send me my invoice",
    "show my upcoming sessions", "is my data shared with my employer?",
    "what do you do with my data", "hi", "I want to book a session", "can you resend my invoices",
    "reset my password", "delete my account", "who are my connections", "the data is wrong",
    "how long do you keep my conversations", None, ""]


@pytest.mark.parametrize("text", EXPORT)
def test_a_copy_is_asked_for(text):
    assert read_request(text) == DataRequest.EXPORT


@pytest.mark.parametrize("text", ERASE)
def test_erasure_is_asked_for(text):
    assert read_request(text) == DataRequest.ERASE


@pytest.mark.parametrize("text", NEITHER)
def test_anything_else_goes_to_the_assistant(text):
    assert read_request(text) is None


def test_a_very_long_message_is_never_a_request():
    assert read_request("send me my chat history " + "x" * 400) is None

"""Conversations over Rasa's REST channel, on the shared stack (tests/helpers/stack.py), sent the
way the gateway sends them (with the channel's secret)."""
from __future__ import annotations

import uuid

import pytest

from tests.helpers.stack import Assistant


class Chat:
    """One conversation over Rasa's REST channel, as a given demo client (or signed out)."""

    def __init__(self, assistant: Assistant, client_id: str | None):
        self.assistant = assistant
        self.sender = f"e2e-{uuid.uuid4().hex[:12]}"
        self.metadata = {"client_id": client_id, "channel": "test"} if client_id else {}

    def say(self, message: str) -> list[dict]:
        """As the gateway says it (with the REST channel's secret)."""
        response = self.assistant.webhook(self.sender, message, self.metadata)
        response.raise_for_status()
        return response.json()

    def click(self, replies: list[dict], title_part: str) -> list[dict]:
        """Presses the first button whose title contains the text (case-insensitive)."""
        return self.say(button(replies, title_part)["payload"])


def text_of(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def buttons_of(replies: list[dict]) -> list[dict]:
    return [b for r in replies for b in (r.get("buttons") or [])]


def button(replies: list[dict], title_part: str) -> dict:
    for candidate in buttons_of(replies):
        if title_part.lower() in candidate["title"].lower():
            return candidate
    titles = [b["title"] for b in buttons_of(replies)]
    raise AssertionError(f"no button with {title_part!r} in {titles}")


@pytest.fixture
def chat(assistant: Assistant):
    """Opens a new conversation as a demo client: chat("c-ben")."""
    return lambda client_id=None: Chat(assistant, client_id)

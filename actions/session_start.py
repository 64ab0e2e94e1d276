"""`action_session_start`: the verified identity from the gateway's metadata goes into slots.

The gateway sends `metadata: {"client_id": ..., "channel": ..., "live_handoff": true,
"private": bool}` with each message (`live_handoff`: a person can take over here; plain REST
clients don't have that; `private`: false in a shared chat, a Slack channel or a Telegram group,
where no account question is answered; a client without the key is a one-to-one chat); Rasa
hands the first message's metadata to the session start as the `session_started_metadata` slot.
Identity is never read from what the user types.

(Not to be confused with actions/sessions.py: the client's therapy sessions.)
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import AssistantAction


def session_metadata(tracker: Tracker) -> dict[str, Any]:
    metadata = tracker.get_slot("session_started_metadata")
    if not isinstance(metadata, dict) or not metadata:
        metadata = (tracker.latest_message or {}).get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def _text_or_none(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


class SessionStart(AssistantAction):
    """Start a session with `client_id`, `channel`, `live_handoff` and `private` copied from the
    session metadata."""

    def name(self) -> str:
        return "action_session_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        metadata = session_metadata(tracker)
        return [
            SessionStarted(),
            SlotSet("client_id", _text_or_none(metadata.get("client_id"))),
            SlotSet("channel", _text_or_none(metadata.get("channel"))),
            SlotSet("live_handoff", metadata.get("live_handoff") is True),
            SlotSet("private", metadata.get("private") is not False),
            ActionExecuted("action_listen"),
        ]

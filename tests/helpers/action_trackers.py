"""Hand-built trackers, shaped like the JSON Rasa 3.6 sends to the action server.

    tracker(user("/ask_credits"), client_id="c-ben")
    tracker(user("dr hansen", intent="inform"), client_id="c-anna",
            form="booking_form", requested_slot="booking_professional_id")

`form=` builds the turn as the form's own validation sees it (latest action = the form, the
candidate slots appended after it); without it the latest action is `action_listen`. Slot events
in `history` (for example what an earlier action returned) set those slots, as in Rasa.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

_PAYLOAD = re.compile(r"^/(?P<intent>[^{@]+)(?P<entities>\{.*\})?$")


def user(
    text: str,
    intent: str | None = None,
    entities: dict[str, Any] | None = None,
    confidence: float = 0.95,
    **extra: Any,
) -> dict[str, Any]:
    """A parsed user message; `/intent{"entity":"value"}` is unpacked the way Rasa does."""
    found = _PAYLOAD.match(text.strip())
    if found and intent is None:
        intent = found.group("intent")
        entities = {**json.loads(found.group("entities") or "{}"), **(entities or {})}
        confidence = 1.0
    intent = intent or "inform"
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": [
            {"entity": k, "value": v, "start": 0, "end": 0, "extractor": "test"}
            for k, v in (entities or {}).items()
        ],
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "metadata": {},
    }
    message.update(extra)
    return message


def user_event(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "event": "user",
        "timestamp": time.time(),
        "text": message["text"],
        "parse_data": message,
        "input_channel": "rest",
        "metadata": message.get("metadata", {}),
    }


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": time.time(), "name": name, "value": value}


def action(name: str) -> dict[str, Any]:
    return {
        "event": "action",
        "timestamp": time.time(),
        "name": name,
        "policy": None,
        "confidence": None,
    }


def bot(text: str, buttons: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {
        "event": "bot",
        "timestamp": time.time(),
        "text": text,
        "data": {
            "buttons": buttons or [],
            "elements": None,
            "quick_replies": None,
            "attachment": None,
            "image": None,
            "custom": None,
        },
        "metadata": {},
    }


def tracker(
    message: dict[str, Any] | None = None,
    *,
    client_id: str | None = "c-anna",
    live_handoff: bool = False,
    slots: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
    form: str | None = None,
    requested_slot: str | None = None,
    candidates: dict[str, Any] | None = None,
    active_loop: str | None = None,
    sender_id: str | None = None,
) -> dict[str, Any]:
    """A tracker after `message`, with `slots` set and `history` before it.

    `form`: the form is active and this is its validation (or question) step for the turn;
    `candidates`: slot values Rasa hands to the form's validation as extracted this turn;
    `history`: events before the message; its slot events also set those slots.
    """
    message = message or user("/greet")
    values = {
        "client_id": client_id,
        "channel": "widget",
        "live_handoff": live_handoff,
        "requested_slot": requested_slot,
        **(slots or {}),
    }
    events = [
        action("action_session_start"),
        {"event": "session_started", "timestamp": time.time()},
    ]
    events += [slot(k, v) for k, v in values.items() if v is not None]
    events += list(history or [])
    values.update({e["name"]: e["value"] for e in history or [] if e.get("event") == "slot"})
    events += [action("action_listen"), user_event(message)]
    latest_action = "action_listen"
    loop = form or active_loop
    if form:
        events += [slot("requested_slot", requested_slot), action(form)]
        events += [slot(k, v) for k, v in (candidates or {}).items()]
        values.update(candidates or {})
        latest_action = form
    return {
        "sender_id": sender_id or f"test-{uuid.uuid4().hex[:12]}",
        "slots": values,
        "latest_message": message,
        "latest_event_time": time.time(),
        "followup_action": None,
        "paused": False,
        "events": events,
        "latest_input_channel": "rest",
        "active_loop": {"name": loop, "validate": True, "rejected": False} if loop else {},
        "latest_action": {"action_name": latest_action},
        "latest_action_name": latest_action,
    }

"""The widget channel: the support widget on the platform's pages.

- Who the client is comes from the identity token the platform signs (bot/identity.py); a
  conversation is found again by the key it was given at the start, while the key works (it
  expires when idle; a signed-in one also needs a fresh identity token now and then: see
  bot/core/conversations.py). A live stream ends when its key stops working.
- What the core says reaches the widget as live events on the conversation's own stream: a
  `message` (its id is the message seq), the `mode` (with the agent's name while one has the
  conversation), and `typing`. A widget that reconnects with
  `Last-Event-ID` gets what it missed from the store first, then the live events, each once.

The HTTP routes (bot/gateway/widget_api.py) only check the request and call this adapter and the
core.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from bot.core.channel_seam import ChannelAddress, InboundMessage
from bot.core.conversations import Conversations, KeyCheck, KeyState, Started
from bot.core.intake import Intake
from bot.core.live_events import Event, EventHub, Recheck, StreamGuard

CHANNEL = "widget"


def stream_of(conversation_id: str) -> str:
    """The live-events topic of one widget conversation."""
    return f"conversation:{conversation_id}"


class WidgetDelivery:
    """Replies, mode changes and typing as live events on the conversation's stream."""

    def __init__(self, hub: EventHub) -> None:
        self.hub = hub

    def __repr__(self) -> str:
        return f"WidgetDelivery(hub={self.hub!r})"

    def deliver(self, to: ChannelAddress, message: dict[str, Any]) -> None:
        self.hub.publish(stream_of(to.conversation_id),
                         Event("message", message, id=str(message["seq"])))

    def mode_changed(self, to: ChannelAddress, mode: str, agent_name: str | None = None) -> None:
        self.hub.publish(stream_of(to.conversation_id),
                         Event("mode", {"mode": mode, "agent_name": agent_name}))

    def typing(self, to: ChannelAddress, on: bool) -> None:
        self.hub.publish(stream_of(to.conversation_id), Event("typing", {"on": on}))


class WidgetChannel:
    """The widget's conversations: start or resume, send, history, and the live stream."""

    def __init__(self, conversations: Conversations, intake: Intake, hub: EventHub) -> None:
        self.conversations = conversations
        self.intake = intake
        self.hub = hub

    def __repr__(self) -> str:
        return f"WidgetChannel(hub={self.hub!r})"

    async def start(self, client_id: str | None, key: str | None) -> Started:
        """Resume the conversation of `key` for the same verified identity, or start one."""
        return await self.conversations.start(CHANNEL, client_id, key)

    async def check_key(self, key: str) -> KeyCheck:
        """Whether the key opens its conversation now (a key that does is marked used)."""
        return await self.conversations.check_key(key)

    async def send(self, conversation_id: str,
                   inbound: InboundMessage) -> dict[str, Any]:
        """Store the message and let the core answer it; a repeat gets the first message back."""
        message, _ = await self.intake.receive(conversation_id, inbound)
        return message

    async def history(self, conversation_id: str, after: int = 0) -> list[dict[str, Any]]:
        return await self.conversations.history(conversation_id, after)

    async def events(self, conversation_id: str, after: int | None, key: str | None = None,
                     key_seconds_left: float = 0.0) -> AsyncIterator[Event]:
        """The mode, what was missed after `after` (a seq) from the store, then live events;
        opened with `key`, until that key stops working.

        Subscribes before reading the store, so nothing falls between the two; a message both
        replayed and published is sent once.
        """
        guard = None if key is None else StreamGuard(self._recheck(key), key_seconds_left)
        subscription = self.hub.subscribe(stream_of(conversation_id), guard)
        try:
            mode, agent_name, missed = await self.conversations.snapshot(conversation_id, after)
            yield Event("mode", {"mode": mode, "agent_name": agent_name})
            replayed = {str(message["seq"]) for message in missed}
            for message in missed:
                yield Event("message", message, id=str(message["seq"]))
            async for event in subscription.events():
                if event.id is not None and event.id in replayed:
                    continue
                yield event
        finally:
            self.hub.unsubscribe(subscription)

    def _recheck(self, key: str) -> Recheck:
        """Seconds until `key` needs checking again, or None once it stopped working."""
        async def recheck() -> float | None:
            found = await self.conversations.check_key(key, use=False)
            return found.seconds_left if found.state == KeyState.OK else None

        return recheck

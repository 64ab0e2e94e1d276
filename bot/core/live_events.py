"""In-process publish/subscribe for the live streams (Server-Sent Events).

Two kinds of stream: one per widget conversation (the widget channel's deliveries) and one for
the console.
Publishing never blocks: each subscriber has a bounded queue, and a subscriber that falls that
far behind is cut off (its stream ends; the widget reconnects with Last-Event-ID and replays from
the store, the console reloads its queue).

One process only: several gateway replicas would need a shared bus (e.g. PostgreSQL
LISTEN/NOTIFY or Redis) behind the same two methods.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

CONSOLE = "console"  # the console's topic; a channel names its own topics
QUEUE_SIZE = 500


@dataclass(frozen=True)
class Event:
    """One event for a stream: its SSE name, JSON data, and id (a message seq, or None)."""

    name: str
    data: dict[str, Any]
    id: str | None = None


@dataclass(eq=False)
class Subscription:
    topic: str
    queue: asyncio.Queue[Event | None] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE))
    closed: bool = False

    async def events(self) -> AsyncIterator[Event]:
        """The events as they come, until the hub cuts this subscriber off."""
        while True:
            event = await self.queue.get()
            if event is None:
                return
            yield event


class EventHub:
    """Topics and their subscribers; call from the event loop only."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)

    def __repr__(self) -> str:
        return f"EventHub(topics={len(self._subscribers)})"

    def subscribe(self, topic: str) -> Subscription:
        subscription = Subscription(topic)
        self._subscribers[topic].add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.topic)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[subscription.topic]

    def publish(self, topic: str, event: Event) -> None:
        for subscription in list(self._subscribers.get(topic, ())):
            try:
                subscription.queue.put_nowait(event)
            except asyncio.QueueFull:
                self._cut_off(subscription)

    def close(self) -> None:
        """End every stream (at shutdown)."""
        for subscribers in list(self._subscribers.values()):
            for subscription in list(subscribers):
                self._cut_off(subscription)

    def _cut_off(self, subscription: Subscription) -> None:
        self.unsubscribe(subscription)
        subscription.closed = True
        while True:  # make room for the end marker
            try:
                subscription.queue.get_nowait()
            except asyncio.QueueEmpty:
                break
        subscription.queue.put_nowait(None)

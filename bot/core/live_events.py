"""In-process publish/subscribe for the live streams (Server-Sent Events).

Two kinds of stream: one per widget conversation (the widget channel's deliveries) and one for
the console.
Publishing never blocks: each subscriber has a bounded queue, and a subscriber that falls that
far behind is cut off (its stream ends; the widget reconnects with Last-Event-ID and replays from
the store, the console reloads its queue).

A stream may be guarded (`StreamGuard`): it ends when the credential it was opened with stops
working (a console session logged out or expired, a conversation key expired): `recheck` is
awaited when it is due and says when to check again, or None to end the stream now; `stop`, when
set, ends it at once (a logout in this process).

This hub is one process's; `bot.core.shared_events.RedisEventHub` is the same hub shared by every
gateway worker through Redis pub/sub (the production profile).
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("bot.core.live_events")

CONSOLE = "console"  # the console's topic; a channel names its own topics
QUEUE_SIZE = 500
MIN_RECHECK_SECONDS = 1.0

# Seconds until the next check, or None: the stream must end now.
Recheck = Callable[[], Awaitable[float | None]]


@dataclass(frozen=True)
class Event:
    """One event for a stream: its SSE name, JSON data, and id (a message seq, or None)."""

    name: str
    data: dict[str, Any]
    id: str | None = None


@dataclass(frozen=True)
class StreamGuard:
    """Ends a stream whose credential stopped working: `recheck` is first awaited after
    `check_in` seconds, then as often as it says; `stop`, when set, ends the stream at once."""

    recheck: Recheck
    check_in: float
    stop: asyncio.Event | None = None


@dataclass(eq=False)
class Subscription:
    topic: str
    queue: asyncio.Queue[Event | None] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE))
    closed: bool = False
    watcher: asyncio.Task[None] | None = None

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

    def subscribe(self, topic: str, guard: StreamGuard | None = None) -> Subscription:
        subscription = Subscription(topic)
        self._subscribers[topic].add(subscription)
        if guard is not None:
            subscription.watcher = asyncio.create_task(self._watch(subscription, guard))
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.topic)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[subscription.topic]
        watcher = subscription.watcher
        if watcher is not None and watcher is not asyncio.current_task():
            watcher.cancel()

    async def _watch(self, subscription: Subscription, guard: StreamGuard) -> None:
        """Cuts the subscriber off when its guard says the stream must end."""
        delay = guard.check_in
        while True:
            if guard.stop is None:
                await asyncio.sleep(delay)
            else:
                try:
                    await asyncio.wait_for(guard.stop.wait(), delay)
                    break  # stopped (a logout)
                except TimeoutError:
                    pass
            try:
                next_check = await guard.recheck()
            except Exception as exc:  # noqa: BLE001 - can't tell: end the stream (fail closed)
                log.warning("stream on %s: recheck failed (%s); ending it",
                            subscription.topic.split(":")[0], type(exc).__name__)
                break
            if next_check is None:
                break
            delay = max(next_check, MIN_RECHECK_SECONDS)
        if not subscription.closed:
            self._cut_off(subscription)

    def publish(self, topic: str, event: Event) -> None:
        for subscription in list(self._subscribers.get(topic, ())):
            try:
                subscription.queue.put_nowait(event)
            except asyncio.QueueFull:
                self._cut_off(subscription)

    async def start(self) -> None:
        """Before serving (nothing to do in one process)."""

    async def aclose(self) -> None:
        """At shutdown: end every stream."""
        self.close()

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

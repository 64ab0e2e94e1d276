"""The live event hub shared by every gateway worker, through Redis pub/sub.

    hub = RedisEventHub(redis.asyncio.Redis.from_url(url))
    await hub.start()        # before serving: listening
    hub.publish(topic, event)  # from any worker: reaches the subscribers of every worker
    await hub.aclose()

A worker's `publish` goes to Redis only (one channel, the topic inside each payload), in the
order published, by one sending task; every worker (the publisher too) hears it back and hands
it to its own subscribers. So a client's stream open on one worker gets the replies and the
agent's messages stored by another, once each.

Redis pub/sub keeps nothing for a listener that was away: whenever the listener loses Redis it
cuts off its streams (the widget reconnects with Last-Event-ID and replays from the store, the
console reloads its queue), then listens again. An event that can't be sent after a few tries is
dropped with a warning: the store has what it announced.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.core.live_events import Event, EventHub

log = logging.getLogger("bot.core.shared_events")

CHANNEL = "wellbeing-hub:live-events"
OUTBOX_SIZE = 10_000
SEND_TRIES = 3
RETRY_SECONDS = 0.5
START_WAIT_SECONDS = 5.0


class RedisEventHub(EventHub):
    def __init__(self, redis: Redis, channel: str = CHANNEL) -> None:
        super().__init__()
        self.redis = redis
        self.channel = channel
        self._outbox: asyncio.Queue[tuple[str, Event]] = asyncio.Queue(maxsize=OUTBOX_SIZE)
        self._listening = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def __repr__(self) -> str:
        return f"RedisEventHub(channel={self.channel!r})"

    async def start(self) -> None:
        """Starts sending and listening; waits (a moment) until it listens."""
        self._tasks = [asyncio.create_task(self._listen(), name="live-events-listen"),
                       asyncio.create_task(self._send(), name="live-events-send")]
        try:
            await asyncio.wait_for(self._listening.wait(), START_WAIT_SECONDS)
        except TimeoutError:
            log.warning("live events: Redis not answering yet; streams start once it does")

    async def aclose(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.close()
        await self.redis.aclose()

    def publish(self, topic: str, event: Event) -> None:
        try:
            self._outbox.put_nowait((topic, event))
        except asyncio.QueueFull:
            log.warning("live events: outbox full; an event on %s dropped", topic.split(":")[0])

    async def _send(self) -> None:
        while True:
            topic, event = await self._outbox.get()
            payload = json.dumps({"topic": topic, "name": event.name, "data": event.data,
                                  "id": event.id}, ensure_ascii=False)
            for attempt in range(SEND_TRIES):
                try:
                    await self.redis.publish(self.channel, payload)
                    break
                except (RedisError, OSError) as exc:
                    if attempt == SEND_TRIES - 1:
                        log.warning("live events: not sent (%s); dropped", type(exc).__name__)
                    else:
                        await asyncio.sleep(RETRY_SECONDS)

    async def _listen(self) -> None:
        while True:
            try:
                async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._listening.set()
                    async for message in pubsub.listen():
                        self._hand_out(message.get("data"))
            except (RedisError, OSError) as exc:
                log.warning("live events: lost Redis (%s); streams cut off, listening again",
                            type(exc).__name__)
            self._listening.clear()
            self.close()  # what was published meanwhile is in the store: streams replay it
            await asyncio.sleep(RETRY_SECONDS)

    def _hand_out(self, raw: Any) -> None:
        try:
            body = json.loads(raw)
            topic, event = body["topic"], Event(body["name"], body["data"], body["id"])
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("live events: unreadable payload ignored (%s)", type(exc).__name__)
            return
        super().publish(topic, event)

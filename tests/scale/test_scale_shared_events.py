"""The live event hub shared through a real Redis (bot/core/shared_events.py): two hubs (two
workers) on one channel; what either publishes reaches the other's subscribers once, in the order
it published;
a hub that loses Redis ends its streams (they replay from the store) and listens again."""
from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis

from bot.core.live_events import Event
from bot.core.shared_events import RedisEventHub
from tests.helpers.redis_server import TEST_REDIS_URL, require_redis


@pytest.fixture(autouse=True)
def _redis() -> None:
    require_redis()


def _hub(channel: str, name: str = "") -> RedisEventHub:
    return RedisEventHub(Redis.from_url(TEST_REDIS_URL, client_name=name or None),
                         channel=channel)


async def _take(subscription, count: int) -> list[Event]:
    events = []
    async for event in subscription.events():
        events.append(event)
        if len(events) == count:
            break
    return events


def test_events_published_on_either_worker_reach_both_once_and_in_order() -> None:
    async def scenario() -> tuple[list[Event], list[Event]]:
        channel = f"test-events-{uuid.uuid4().hex}"
        one, two = _hub(channel), _hub(channel)
        await one.start()
        await two.start()
        on_two = two.subscribe("widget:c1")
        on_one = one.subscribe("widget:c1")
        elsewhere = two.subscribe("widget:c2")
        for seq in range(1, 101):
            (one if seq % 3 else two).publish(
                "widget:c1", Event("message", {"seq": seq, "text": f"reply {seq}"}, str(seq)))
        got_two, got_one = await asyncio.wait_for(
            asyncio.gather(_take(on_two, 100), _take(on_one, 100)), 20)
        assert elsewhere.queue.empty()
        await one.aclose()
        await two.aclose()
        return got_two, got_one

    got_two, got_one = asyncio.run(scenario())
    for got in (got_two, got_one):
        seqs = [int(e.id or 0) for e in got]
        assert sorted(seqs) == list(range(1, 101))  # each once
        # in the order each worker published them (two workers' events may interleave)
        assert [s for s in seqs if s % 3] == [s for s in range(1, 101) if s % 3]
        assert [s for s in seqs if not s % 3] == [s for s in range(1, 101) if not s % 3]
        assert Event("message", {"seq": 1, "text": "reply 1"}, "1") in got


def test_an_unreadable_payload_is_ignored() -> None:
    async def scenario() -> list[Event]:
        channel = f"test-events-{uuid.uuid4().hex}"
        hub = _hub(channel)
        await hub.start()
        subscription = hub.subscribe("console")
        await hub.redis.publish(channel, "not json")
        await hub.redis.publish(channel, '{"topic": "console"}')
        hub.publish("console", Event("conversation", {"id": "x"}))
        got = await asyncio.wait_for(_take(subscription, 1), 10)
        await hub.aclose()
        return got

    assert asyncio.run(scenario()) == [Event("conversation", {"id": "x"})]


def test_a_worker_that_loses_redis_ends_its_streams_and_listens_again() -> None:
    async def scenario() -> tuple[bool, list[Event]]:
        channel = f"test-events-{uuid.uuid4().hex}"
        name = f"hub-{uuid.uuid4().hex}"
        hub, other = _hub(channel, name), _hub(channel)
        await hub.start()
        await other.start()
        subscription = hub.subscribe("widget:c1")
        admin = Redis.from_url(TEST_REDIS_URL)
        # cut this hub's listening connection (as a Redis restart or a network cut would)
        listening = [c for c in await admin.client_list()
                     if c.get("name") == name and int(c.get("sub", 0)) > 0]
        assert len(listening) == 1
        await admin.client_kill_filter(_id=listening[0]["id"])
        ended = await asyncio.wait_for(_take(subscription, 1_000), 15) == []
        again = hub.subscribe("widget:c1")
        for _ in range(50):  # until it listens again
            if hub._listening.is_set():
                break
            await asyncio.sleep(0.1)
        other.publish("widget:c1", Event("message", {"seq": 7}, "7"))
        got = await asyncio.wait_for(_take(again, 1), 10)
        await admin.aclose()
        await hub.aclose()
        await other.aclose()
        return ended, got

    ended, got = asyncio.run(scenario())
    assert ended, "the stream went on after its worker lost Redis"
    assert got == [Event("message", {"seq": 7}, "7")]

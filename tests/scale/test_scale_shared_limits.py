"""The login throttle and the rate limits shared through a real Redis: two instances (two
workers) count as one, as the in-process versions do; without Redis each counts on its own."""
from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis

from bot.gateway.shared_limits import LocalLogins, RedisLogins, RedisRequests
from bot.gateway.throttle import LoginThrottle
from tests.helpers.processes import free_port
from tests.helpers.redis_server import TEST_REDIS_URL, forget_limits, require_redis


@pytest.fixture(autouse=True)
def _redis() -> None:
    require_redis()
    forget_limits()


def _unique() -> str:
    return uuid.uuid4().hex


def test_two_workers_share_one_conversation_limit() -> None:
    async def scenario() -> list[float]:
        one, two = Redis.from_url(TEST_REDIS_URL), Redis.from_url(TEST_REDIS_URL)
        limits = [RedisRequests(one, "test", limit=4), RedisRequests(two, "test", limit=4)]
        key = _unique()
        waits = [await limits[i % 2].hit(key) for i in range(5)]
        waits.append(await limits[0].hit(_unique()))  # another key is not affected
        await one.aclose()
        await two.aclose()
        return waits

    waits = asyncio.run(scenario())
    assert waits[:4] == [0, 0, 0, 0]
    assert 14 < waits[4] <= 15  # one request every 15 s once the burst of 4 is spent
    assert waits[5] == 0


def test_a_limit_above_a_thousand_a_second_is_counted_in_redis(caplog) -> None:
    """A huge limit (tests and load runs set one) still counts in Redis, never 'unavailable'."""
    async def scenario() -> tuple[float, int]:
        client = Redis.from_url(TEST_REDIS_URL)
        limit = RedisRequests(client, "test", limit=1_000_000)
        waited = await limit.hit(_unique())
        keys = len(await client.keys("wellbeing-hub:limit:*"))
        await client.aclose()
        return waited, keys

    waited, keys = asyncio.run(scenario())
    assert waited == 0 and keys >= 1
    assert "Redis unavailable" not in caplog.text


def test_many_hits_at_once_let_exactly_the_limit_through() -> None:
    async def scenario() -> list[float]:
        clients = [Redis.from_url(TEST_REDIS_URL) for _ in range(4)]
        limits = [RedisRequests(client, "test", limit=10) for client in clients]
        key = _unique()
        waits = await asyncio.gather(*(limits[i % 4].hit(key) for i in range(40)))
        for client in clients:
            await client.aclose()
        return list(waits)

    assert sum(1 for wait in asyncio.run(scenario()) if wait == 0) == 10


def test_logins_are_throttled_like_the_in_process_throttle() -> None:
    """Same answers, call for call, as bot/gateway/throttle.py's LoginThrottle."""
    async def scenario() -> tuple[list[bool], list[bool]]:
        one, two = Redis.from_url(TEST_REDIS_URL), Redis.from_url(TEST_REDIS_URL)
        shared = [RedisLogins(one, per_address=3, per_ip=5),
                  RedisLogins(two, per_address=3, per_ip=5)]
        local = LocalLogins(LoginThrottle(per_address=3, per_ip=5))
        ip = f"10.0.0.{uuid.uuid4().int % 250}-{_unique()}"
        steps = [("a@x", "fail"), ("a@x", "fail"), ("a@x", "ok"), ("a@x", "fail"),
                 ("a@x", "fail"), ("a@x", "fail"), ("a@x", "fail"), ("b@x", "fail"),
                 ("c@x", "fail"), ("d@x", "fail"), ("e@x", "fail")]
        got_shared, got_local = [], []
        for number, (email, outcome) in enumerate(steps):
            for limits, got in ((shared[number % 2], got_shared), (local, got_local)):
                allowed = await limits.attempt(email, ip) == 0
                got.append(allowed)
                if allowed and outcome == "ok":
                    await limits.succeeded(email, ip)
        await one.aclose()
        await two.aclose()
        return got_shared, got_local

    got_shared, got_local = asyncio.run(scenario())
    assert got_shared == got_local
    # a success takes its attempt back from the IP: 5 more failures fill the IP's count
    assert got_shared == [True] * 6 + [False] * 5


def test_without_redis_each_worker_counts_on_its_own() -> None:
    async def scenario() -> list[float]:
        gone = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
        limit = RedisRequests(gone, "test", limit=2)
        waits = [await limit.hit("k") for _ in range(3)]
        await gone.aclose()
        return waits

    waits = asyncio.run(scenario())
    assert waits[:2] == [0, 0] and waits[2] > 0

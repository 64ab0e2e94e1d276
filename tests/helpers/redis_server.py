"""Redis for tests: is it reachable, and a clean slate for the gateway's shared limits.

When Redis cannot be reached the test is skipped with the reason, except in CI (`CI=true`), where
a missing server is a failure, not a skip. The tests use their own Redis database (TEST_REDIS_URL)
so they never touch another process's keys.
"""
from __future__ import annotations

import redis

from bot.gateway.shared_limits import PREFIX
from tests.helpers.ci import skip_or_fail_in_ci

TEST_REDIS_URL = "redis://127.0.0.1:6379/9"


def unreachable_reason(url: str = TEST_REDIS_URL) -> str | None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except (redis.RedisError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def require_redis(url: str = TEST_REDIS_URL) -> None:
    """Skip the calling test (fail it when CI=true) unless Redis at `url` answers."""
    reason = unreachable_reason(url)
    if reason is None:
        return
    message = f"Redis is not reachable at {url} ({reason})"
    skip_or_fail_in_ci(message)


def forget_limits(url: str = TEST_REDIS_URL) -> None:
    """Deletes the gateway's limit counts in the test database (every test starts uncounted)."""
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"{PREFIX}*"):
        client.delete(key)

"""The login throttle and the widget limits as the routes use them: in this process, or shared by
every gateway worker through Redis (GATEWAY_REDIS_URL).

The counting is the same either way (bot/gateway/throttle.py says how): a sliding window of
failed logins per (address, IP) and per IP, and the generic cell rate algorithm per key. In Redis
each check-and-count is one Lua script (atomic: two workers can't both let the last attempt
through), timed by Redis's own clock, and each key expires when it no longer counts. Keys are
hashes: no e-mail address or IP address is stored in Redis.

Redis unreachable: the worker counts in its own memory meanwhile (a warning says so), as with
one worker; it never lets everything through nor locks everyone out.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.gateway.throttle import (
    MAX_FAILURES,
    MAX_FAILURES_PER_IP,
    WINDOW_SECONDS,
    LoginThrottle,
    RateLimit,
)

log = logging.getLogger("bot.gateway.shared_limits")

PREFIX = "wellbeing-hub:limit:"

# KEYS: key. ARGV: interval ms, tolerance ms. Returns the ms to wait (0: counted).
GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if tat - now > tolerance then return tat - now - tolerance end
redis.call('SET', KEYS[1], tat + interval, 'PX', tat + interval - now)
return 0
"""

# KEYS: (address, IP) key, IP key. ARGV: limit per pair, limit per IP, window ms, a unique member.
# Returns the ms to wait (0: counted).
LOGIN_ATTEMPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[3])
local function wait(key, limit)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count < limit then return 0 end
  local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
  return math.max(0, tonumber(oldest[2]) + window - now)
end
local waited = math.max(wait(KEYS[1], tonumber(ARGV[1])), wait(KEYS[2], tonumber(ARGV[2])))
if waited > 0 then return waited end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
end
return 0
"""

# KEYS: (address, IP) key, IP key. Forgets the pair's failures, takes back the IP's latest hit.
LOGIN_SUCCEEDED = """
redis.call('DEL', KEYS[1])
redis.call('ZPOPMAX', KEYS[2])
return 0
"""


class LoginLimits(Protocol):
    async def attempt(self, email: str, ip: str) -> float:
        """Counts a login attempt and returns 0, or returns the seconds to wait (not counted)."""
        ...

    async def succeeded(self, email: str, ip: str) -> None: ...


class RequestLimits(Protocol):
    async def hit(self, key: str) -> float:
        """Counts a request and returns 0, or returns the seconds to wait (not counted)."""
        ...


class LocalLogins:
    """This process's login throttle."""

    def __init__(self, throttle: LoginThrottle | None = None) -> None:
        self.throttle = throttle or LoginThrottle()

    def __repr__(self) -> str:
        return f"LocalLogins({self.throttle!r})"

    async def attempt(self, email: str, ip: str) -> float:
        return self.throttle.attempt(email, ip)

    async def succeeded(self, email: str, ip: str) -> None:
        self.throttle.succeeded(email, ip)


class LocalRequests:
    """This process's rate limit."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit

    def __repr__(self) -> str:
        return f"LocalRequests({self.limit!r})"

    async def hit(self, key: str) -> float:
        return self.limit.hit(key)


def _hashed(kind: str, *parts: str) -> str:
    digest = hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).hexdigest()
    return f"{PREFIX}{kind}:{digest}"


class RedisLogins:
    """The login throttle shared through Redis (this process's own while Redis is away)."""

    def __init__(self, redis: Redis, per_address: int = MAX_FAILURES,
                 per_ip: int = MAX_FAILURES_PER_IP, window: float = WINDOW_SECONDS) -> None:
        self.redis = redis
        self.per_address, self.per_ip, self.window = per_address, per_ip, window
        self.fallback = LocalLogins(LoginThrottle(per_address, per_ip, window))
        self._attempt = redis.register_script(LOGIN_ATTEMPT)
        self._succeeded = redis.register_script(LOGIN_SUCCEEDED)

    def __repr__(self) -> str:
        return f"RedisLogins(per_address={self.per_address}, per_ip={self.per_ip})"

    async def attempt(self, email: str, ip: str) -> float:
        keys = [_hashed("login-pair", email, ip), _hashed("login-ip", ip)]
        try:
            waited = await self._attempt(keys=keys, args=[
                self.per_address, self.per_ip, int(self.window * 1000), secrets.token_hex(8)])
        except (RedisError, OSError) as exc:
            log.warning("login throttle: Redis unavailable (%s); counting here", type(exc).__name__)
            return await self.fallback.attempt(email, ip)
        return int(waited) / 1000

    async def succeeded(self, email: str, ip: str) -> None:
        keys = [_hashed("login-pair", email, ip), _hashed("login-ip", ip)]
        try:
            await self._succeeded(keys=keys)
        except (RedisError, OSError) as exc:
            log.warning("login throttle: Redis unavailable (%s)", type(exc).__name__)
            await self.fallback.succeeded(email, ip)


class RedisRequests:
    """A rate limit shared through Redis (this process's own while Redis is away)."""

    def __init__(self, redis: Redis, name: str, limit: int, period: float = 60.0) -> None:
        self.redis, self.name = redis, name
        # At least 1 ms: Redis refuses a key that expires in 0 ms (a limit above 1,000 a second).
        self.interval_ms = max(1, int(period * 1000 / limit))
        self.tolerance_ms = int(period * 1000) - self.interval_ms
        self.fallback = LocalRequests(RateLimit(limit, period))
        self._gcra = redis.register_script(GCRA)

    def __repr__(self) -> str:
        return f"RedisRequests({self.name!r}, {self.fallback.limit!r})"

    async def hit(self, key: str) -> float:
        try:
            waited = await self._gcra(keys=[_hashed(self.name, key)],
                                      args=[self.interval_ms, self.tolerance_ms])
        except (RedisError, OSError) as exc:
            log.warning("%s limit: Redis unavailable (%s); counting here", self.name,
                        type(exc).__name__)
            return await self.fallback.hit(key)
        return int(waited) / 1000

"""Limits on how often: login attempts (the console) and writes to the widget API.

In memory, per process, and bounded: each table keeps at most `max_keys` keys (the least recently
used go first; expired ones are swept as new ones come). Several gateway replicas each count on
their own (a client spread over N replicas gets up to N times the limit) until the counts move to
a shared store (Redis, or the database).

- `LoginThrottle`: an attempt is counted *before* the password is checked, so parallel guesses
  can't all be checked: at most `per_address` failed attempts per (e-mail address, client IP) and
  `per_ip` per client IP within `window` seconds. Counting per address *and IP* means nobody
  elsewhere can lock an agent out by failing with their address; counting per IP stops one
  address from spraying many. A successful login clears its address's count from that IP and
  takes back its own attempt from the IP's count.
- `RateLimit`: at most `limit` requests per `period` seconds per key, in bursts of up to `limit`
  (the generic cell rate algorithm: one number per key).
"""
from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_FAILURES = 5            # per (address, IP) within the window
MAX_FAILURES_PER_IP = 20    # per IP, whatever the addresses
WINDOW_SECONDS = 15 * 60
MAX_KEYS = 10_000


def retry_after_header(seconds: float) -> dict[str, str]:
    """`Retry-After` in whole seconds, at least 1."""
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


class SlidingWindow:
    """At most `limit` hits per key within any `window` seconds (their times are kept)."""

    def __init__(self, limit: int, window: float, max_keys: int = MAX_KEYS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()  # least recently hit first

    def __repr__(self) -> str:
        return f"SlidingWindow(limit={self.limit}, window={self.window:.0f}s, keys={len(self)})"

    def __len__(self) -> int:
        return len(self._hits)

    def wait(self, key: str) -> float:
        """Seconds until `key` may be hit again (0: now)."""
        hits = self._hits.get(key)
        if hits is None or len(hits) < self.limit:
            return 0.0
        return max(0.0, hits[0] + self.window - self.clock())

    def hit(self, key: str) -> None:
        now = self.clock()
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque(maxlen=self.limit)
        hits.append(now)
        self._hits.move_to_end(key)
        self._sweep(now)

    def undo(self, key: str) -> None:
        """Takes back the latest hit of `key`."""
        hits = self._hits.get(key)
        if hits:
            hits.pop()
        if not hits:
            self._hits.pop(key, None)

    def forget(self, key: str) -> None:
        self._hits.pop(key, None)

    def _sweep(self, now: float) -> None:
        while self._hits:
            key, hits = next(iter(self._hits.items()))
            if len(self._hits) <= self.max_keys and hits and hits[-1] > now - self.window:
                return
            del self._hits[key]  # expired, or the least recently hit key of a full table


class LoginThrottle:
    def __init__(self, per_address: int = MAX_FAILURES, per_ip: int = MAX_FAILURES_PER_IP,
                 window: float = WINDOW_SECONDS, max_keys: int = MAX_KEYS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.by_address = SlidingWindow(per_address, window, max_keys, clock)
        self.by_ip = SlidingWindow(per_ip, window, max_keys, clock)

    def __repr__(self) -> str:
        return (f"LoginThrottle(per_address={self.by_address.limit}, "
                f"per_ip={self.by_ip.limit}, window={self.by_ip.window:.0f}s)")

    def attempt(self, email: str, ip: str) -> float:
        """Counts a login attempt and returns 0, or returns the seconds to wait (not counted).

        Synchronous, so two attempts arriving together are counted one after the other.
        """
        pair = _pair(email, ip)
        wait = max(self.by_address.wait(pair), self.by_ip.wait(ip))
        if wait > 0:
            return wait
        self.by_address.hit(pair)
        self.by_ip.hit(ip)
        return 0.0

    def ip_blocked(self, ip: str) -> bool:
        return self.by_ip.wait(ip) > 0

    def succeeded(self, email: str, ip: str) -> None:
        self.by_address.forget(_pair(email, ip))
        self.by_ip.undo(ip)


def _pair(email: str, ip: str) -> str:
    return f"{email}\x00{ip}"


class RateLimit:
    """At most `limit` requests per `period` seconds per key (GCRA: one number per key).

    Each key has a theoretical arrival time (TAT): a request is allowed while the TAT is at most
    `period - interval` ahead of now, and moves it `interval = period / limit` further.
    """

    def __init__(self, limit: int, period: float = 60.0, max_keys: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.period, self.max_keys, self.clock = limit, period, max_keys, clock
        self.interval = period / limit
        self.tolerance = period - self.interval
        self._tat: OrderedDict[str, float] = OrderedDict()  # least recently updated first

    def __repr__(self) -> str:
        return f"RateLimit(limit={self.limit}, period={self.period:.0f}s, keys={len(self)})"

    def __len__(self) -> int:
        return len(self._tat)

    def hit(self, key: str) -> float:
        """Counts a request and returns 0, or returns the seconds to wait (not counted)."""
        now = self.clock()
        tat = max(self._tat.get(key, now), now)
        ahead = tat - now
        if ahead > self.tolerance + 1e-9:
            return ahead - self.tolerance
        self._tat[key] = tat + self.interval
        self._tat.move_to_end(key)
        while self._tat:  # sweep: spent keys (no debt left) and the overflow of a full table
            first, first_tat = next(iter(self._tat.items()))
            if len(self._tat) <= self.max_keys and first_tat > now:
                break
            del self._tat[first]
        return 0.0

"""Slow down password guessing: after a few failed logins, an e-mail address waits a while.

In memory, per process: enough for one gateway; several replicas would share it through the
store or Redis. Counts only failures; a successful login clears the count.
"""
from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


class LoginThrottle:
    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def __repr__(self) -> str:
        return f"LoginThrottle(max_failures={self.max_failures}, window={self.window:.0f}s)"

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures[key]
        cutoff = self.clock() - self.window
        while failures and failures[0] < cutoff:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return deque()
        return failures

    def blocked(self, key: str) -> bool:
        return len(self._recent(key)) >= self.max_failures

    def failed(self, key: str) -> None:
        self._recent(key)
        self._failures[key].append(self.clock())

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

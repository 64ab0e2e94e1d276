"""A tally of the cases each fuzz suite ran (tests/fuzz), printed by tests/fuzz/conftest.py at the
end of the pytest run.

    count("sandbox API", "GET /api/v1/health")   # one case run
"""
from __future__ import annotations

from collections import Counter, defaultdict

CASES: defaultdict[str, Counter[str]] = defaultdict(Counter)


def count(suite: str, kind: str) -> None:
    CASES[suite][kind] += 1

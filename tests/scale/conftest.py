"""Fixtures for the production profile's tests (PostgreSQL and Redis, skipped with the reason when
either is missing, failed when CI=true):

- `fake_rasa`: a fake Rasa that records what it was sent (tests/helpers/fake_rasa.py);
- `store`: a throw-away PostgreSQL schema for a gateway store, and the test Redis database with
  no limit counted yet.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.fake_rasa import FakeRasa, run_fake_rasa
from tests.helpers.postgres import require_postgres, temporary_schema
from tests.helpers.redis_server import forget_limits, require_redis


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    with run_fake_rasa() as rasa:
        yield rasa


@pytest.fixture(scope="module")
def store() -> Iterator[str]:
    """The PostgreSQL URL of a fresh schema (Redis checked and its limit counts cleared too)."""
    require_postgres()
    require_redis()
    forget_limits()
    with temporary_schema() as url:
        yield url
    forget_limits()

"""Shared by every test suite. Kept minimal: suites put their own fixtures next to their tests.

- Marker `postgres`: the test runs against PostgreSQL (skipped if unreachable, failed if CI=true).
- Fixture `assistant`: the whole assistant (sandbox, action server, Rasa with the model), started
  once per session and shared by every suite that asks for it (tests/e2e, tests/gateway,
  tests/browser).
- Fixture `live_gateway`: the real gateway in front of that stack, once per session, on the port
  the sandbox's demo dashboards point their widget at (tests/gateway, tests/browser).
"""
from __future__ import annotations

import pytest

from tests.helpers.live_gateway import live_gateway  # noqa: F401  (fixture)
from tests.helpers.model import model  # noqa: F401  (fixture)
from tests.helpers.stack import assistant  # noqa: F401  (fixture)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: runs against PostgreSQL (tests/helpers/postgres.py)"
    )

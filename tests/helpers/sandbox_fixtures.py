"""Fixtures for suites that talk to a live sandbox with a frozen clock (imported by their conftest).

- `sandbox_url`: a sandbox on a real port for the whole session; its clock is frozen at
  `FIXED_NOW` (a Monday morning), so "within 24 hours" is the same on every run.
- `sandbox_database`: the URL of its database, for changes the API has no route for (a
  professional's new price); every reset re-seeds it.
- `api_key`: the key that sandbox accepts.
- `sandbox`: a `SandboxApi` on it, reset to the demo hub before each test.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.helpers.sandbox_api import SandboxApi
from tests.helpers.sandbox_server import run_sandbox

API_KEY = "actions-test-key-0123456789"
FIXED_NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # Monday 2 March 2026, 09:30 UTC


@pytest.fixture(scope="session")
def sandbox_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('frozen-sandbox') / 'sandbox.db'}"


@pytest.fixture(scope="session")
def sandbox_url(sandbox_database: str) -> Iterator[str]:
    with run_sandbox(sandbox_database, API_KEY, now=FIXED_NOW) as base_url:
        yield base_url


@pytest.fixture
def api_key() -> str:
    return API_KEY


@pytest.fixture
def sandbox(sandbox_url: str) -> SandboxApi:
    api = SandboxApi(sandbox_url, API_KEY)
    api.reset()
    return api

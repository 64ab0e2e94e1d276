"""Fixtures for the sandbox tests: the real server over HTTP, reset to the demo hub before each.

- `backend`: "sqlite" here. A module overrides it with a parametrized fixture to also run its
  tests against PostgreSQL (see test_sandbox_bookings.py).
- `sandbox_database`: the URL of the module's fresh database (a temp SQLite file, or a throw-away
  PostgreSQL schema); tests may change rows there the API can't (a professional's new price).
- `sandbox_url`: a sandbox served by uvicorn for the whole module on that database, its clock
  frozen at `FIXED_NOW`, a Monday. Module-scoped, unlike tests/helpers/sandbox_fixtures.py's
  session-wide one, because a module may switch the backend; the clock and key are shared.
- `api`: a `SandboxApi` (tests/helpers/sandbox_api.py) on a freshly reset sandbox.
- `now`, `api_key`: the sandbox's frozen "now" and its API key.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.helpers.postgres import require_postgres, temporary_schema
from tests.helpers.sandbox_api import SandboxApi
from tests.helpers.sandbox_fixtures import API_KEY, FIXED_NOW
from tests.helpers.sandbox_server import run_sandbox


@pytest.fixture(scope="module")
def backend() -> str:
    """Which database the module's sandbox runs on; override in a module to parametrize."""
    return "sqlite"


@pytest.fixture(scope="module")
def sandbox_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "postgresql":
        require_postgres()
        with temporary_schema() as url:
            yield url
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('sandbox') / 'sandbox.db'}"


@pytest.fixture(scope="module")
def sandbox_url(sandbox_database: str) -> Iterator[str]:
    with run_sandbox(sandbox_database, API_KEY, now=FIXED_NOW) as base_url:
        yield base_url


@pytest.fixture
def api(sandbox_url: str) -> SandboxApi:
    client = SandboxApi(sandbox_url, API_KEY)
    client.reset()
    return client


@pytest.fixture
def now() -> datetime:
    return FIXED_NOW


@pytest.fixture
def api_key() -> str:
    return API_KEY

"""Fixtures for the gateway tests: the real gateway process over HTTP, in front of

- `live_gateway` (tests/helpers/live_gateway.py, registered in tests/conftest.py): the real
  assistant (Rasa with the model, action server, sandbox; the shared `assistant` stack), started
  once per session;
- `gateway`: a fake Rasa (`fake_rasa`, tests/helpers/fake_rasa.py) that records what it was sent,
  so a test can say exactly what Rasa answers and check it was (not) called;
- `down_gateway`: a closed port where Rasa should be (and where the platform should be);
- `closed_gateway`: the fake Rasa, with the Customer Success team never in its hours.
Each gateway has its own temporary SQLite store; the team is always in its hours unless said.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from bot.processes import SharedSecrets
from tests.helpers.fake_rasa import FakeRasa, run_fake_rasa
from tests.helpers.gateway import NEVER_OPEN, Gateway, run_gateway
from tests.helpers.gateway_store import db  # noqa: F401 (fixture: a fresh migrated store)
from tests.helpers.postgres import BOTH_BACKENDS, require_postgres, temporary_schema
from tests.helpers.processes import free_port


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    with run_fake_rasa() as rasa:
        yield rasa


@pytest.fixture(autouse=True)
def _fresh_fake_rasa(request: pytest.FixtureRequest) -> None:
    """Every test starts with Rasa's default answers (an echo), no delay, a readable tracker."""
    if "fake_rasa" in request.fixturenames:
        rasa: FakeRasa = request.getfixturevalue("fake_rasa")
        rasa.reset_answers()


@pytest.fixture(scope="module")
def gateway(fake_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with run_gateway(tmp_path_factory.mktemp("gateway"), fake_rasa.port, fake_rasa.shared) as gw:
        yield gw


@pytest.fixture(scope="module")
def down_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with run_gateway(tmp_path_factory.mktemp("down-gateway"), free_port(), SharedSecrets.generate(),
                     sandbox_port=free_port(), env={"RASA_TIMEOUT": "3"}) as gw:
        yield gw


@pytest.fixture(scope="module")
def closed_gateway(fake_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[Gateway]:
    with run_gateway(tmp_path_factory.mktemp("closed-gateway"), fake_rasa.port, fake_rasa.shared,
                     env=NEVER_OPEN) as gw:
        yield gw


HANDOFF = {"custom": {"handoff": {"reason": "requested", "priority": "high"}}}
SAFETY = {"custom": {"handoff": {"reason": "safety", "priority": "urgent"}}}


def asks_for_a_person(rasa: FakeRasa) -> None:
    """Rasa answers `/request_human` the way action_handoff does through the gateway."""
    rasa.replies["/request_human"] = [{"text": "I'm passing you to the Customer Success team."},
                                      HANDOFF]


@pytest.fixture(scope="module", params=BOTH_BACKENDS)
def any_store_gateway(request, fake_rasa, tmp_path_factory) -> Iterator[Gateway]:
    """A gateway of the module's own on SQLite, then on a throw-away PostgreSQL schema (skipped
    with the reason without PostgreSQL, failed when CI=true)."""
    folder = tmp_path_factory.mktemp(f"store-{request.param}")
    with ExitStack() as stack:
        url = None
        if request.param == "postgresql":
            require_postgres()
            url = stack.enter_context(temporary_schema())
        yield stack.enter_context(run_gateway(folder, fake_rasa.port, fake_rasa.shared,
                                              database_url=url))

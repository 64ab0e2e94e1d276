"""Fixture `live_gateway`: the real gateway process in front of the real assistant (the shared
`assistant` stack: Rasa with the model, action server, sandbox), once per test session.

It listens on the port the stack reserved (`assistant.ports.gateway`), which is where the
sandbox's demo dashboards point their widget, and it accepts the widget API from the sandbox's
origin, so a browser on `/dashboard/c-ben` talks to it. Its own SQLite store; the Customer Success
team is always in its hours (tests/helpers/gateway.py). Registered in tests/conftest.py, shared by
tests/gateway and tests/browser.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.gateway import Gateway, run_gateway
from tests.helpers.stack import Assistant


@pytest.fixture(scope="session")
def live_gateway(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[Gateway]:
    origins = f"{assistant.sandbox},http://localhost:{assistant.ports.sandbox}"
    with run_gateway(tmp_path_factory.mktemp("live-gateway"), assistant.ports.rasa,
                     assistant.shared, sandbox_port=assistant.ports.sandbox,
                     gateway_port=assistant.ports.gateway,
                     env={"WIDGET_ALLOWED_ORIGINS": origins,
                          "GATEWAY_PUBLIC_URL": assistant.gateway,
                          "RASA_TRACKER_STORE_URL": f"sqlite:///{assistant.tracker_db}"}
                     ) as gateway:
        yield gateway

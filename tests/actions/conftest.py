"""Fixtures for the action tests: the real action server, talking to a real sandbox over HTTP.

- `sandbox`, `sandbox_url`, `api_key`: a live sandbox with a frozen clock
  (tests/helpers/sandbox_fixtures.py).
- `actions`: the action server (`python -m actions`) pointed at that sandbox.
- `down_actions`: the action server pointed at a closed port (the platform is down); it doesn't
  wait for the platform at start (PLATFORM_STARTUP_WAIT=0), it serves at once.
- `slow_actions`: the action server pointed at a server that answers after the read timeout.
- `domain`: domain.yml as the dict Rasa sends with every call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.helpers.action_server import ActionServer, free_port, run_action_server
from tests.helpers.sandbox_fixtures import (  # noqa: F401 (fixtures)
    API_KEY,
    FIXED_NOW,
    api_key,
    sandbox,
    sandbox_database,
    sandbox_url,
)

ROOT = Path(__file__).resolve().parents[2]
SUPPORT_ENV = {
    "SUPPORT_EMAIL": "help@support.example",
    # The hours the gateway enforces; users are told them in words (derived, never free text).
    "SUPPORT_OPEN_HOUR": "8", "SUPPORT_CLOSE_HOUR": "16", "SUPPORT_DAYS": "mon,tue,wed",
    "SIGN_IN_URL": "https://hub.example/sign-in",
    "EMERGENCY_NUMBER": "112",
    "HELPLINES": "Helpline 1717",
}
SLOW_SECONDS = 4.0


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return YAML(typ="safe").load((ROOT / "domain.yml").read_text())


def _server_env(base_url: str, **extra: str) -> dict[str, str]:
    return {"PLATFORM_API_URL": base_url, "PLATFORM_API_KEY": API_KEY, **SUPPORT_ENV, **extra}


@pytest.fixture(scope="session")
def actions(sandbox_url: str, domain: dict[str, Any]) -> Iterator[ActionServer]:  # noqa: F811
    with run_action_server(_server_env(sandbox_url)) as url:
        yield ActionServer(url, domain)


@pytest.fixture(scope="session")
def down_actions(domain: dict[str, Any]) -> Iterator[ActionServer]:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with run_action_server(_server_env(closed, PLATFORM_STARTUP_WAIT="0")) as url:
        yield ActionServer(url, domain)


class _SlowHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # http.server's naming
        time.sleep(SLOW_SECONDS)
        self._answer()

    def do_POST(self) -> None:
        time.sleep(SLOW_SECONDS)
        self._answer()

    def _answer(self) -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")
        except OSError:
            pass  # the client gave up long ago

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def slow_platform() -> Iterator[dict[str, int]]:
    """A tiny HTTP server that answers every request after SLOW_SECONDS; counts the requests."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"port": server.server_address[1]}
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def slow_actions(slow_platform: dict[str, int], domain: dict[str, Any]) -> Iterator[ActionServer]:
    env = _server_env(f"http://127.0.0.1:{slow_platform['port']}", PLATFORM_READ_TIMEOUT="1",
                      PLATFORM_STARTUP_WAIT="0")
    with run_action_server(env) as url:
        yield ActionServer(url, domain)

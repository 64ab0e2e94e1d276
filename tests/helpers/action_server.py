"""Run the real action server (`python -m actions`) for a test, and call it.

    with run_action_server({"PLATFORM_API_URL": base_url, "PLATFORM_API_KEY": key}) as url:
        reply = ActionServer(url, domain).run("action_check_credits", tracker)
        reply.text, reply.buttons, reply.slots

    started = start_action_server({"PLATFORM_API_KEY": "change-me"})   # expected to refuse
    started.returncode, started.output

The server speaks the same protocol Rasa uses: POST /webhook with next_action, tracker and domain.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from bot.processes import ROOT, VENV_PYTHON, ProcessSpec
from tests.helpers.processes import free_port, running

# What Rasa sends the action server in tests (endpoints.yml: Authorization: Bearer <token>).
ACTION_SERVER_TOKEN = "action-server-test-token-0123456789abcdef"


def action_server_process(port: int) -> ProcessSpec:
    """`python -m actions` on `port` (the command bot/processes.py gives `make run`)."""
    return ProcessSpec(name="actions", argv=[str(VENV_PYTHON), "-m", "actions"],
                       env={"ACTIONS_PORT": str(port), "ACTION_SERVER_TOKEN": ACTION_SERVER_TOKEN})


@contextmanager
def run_action_server(env: dict[str, str]) -> Iterator[str]:
    """Serve our actions on a free loopback port with `env` added; yields the base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(action_server_process(port), f"{url}/health", env=env, timeout=30):
        yield url


@dataclass
class Ended:
    """How an action server that was expected to refuse to start ended."""

    returncode: int
    output: str


def start_action_server(env: dict[str, str], timeout: float = 30.0) -> Ended:
    """Start `python -m actions` with `env` added and wait for it to exit by itself.

    For settings it must refuse: a server that starts serving instead runs into `timeout`
    (subprocess.TimeoutExpired), which fails the test.
    """
    spec = action_server_process(free_port())
    finished = subprocess.run(spec.argv, cwd=ROOT, env={**os.environ, **spec.env, **env},
                              capture_output=True, text=True, timeout=timeout, check=False)
    return Ended(finished.returncode, finished.stdout + finished.stderr)


@dataclass
class Reply:
    """What one action returned: its events and the messages it sent."""

    events: list[dict[str, Any]]
    responses: list[dict[str, Any]]

    @property
    def texts(self) -> list[str]:
        return [r.get("text") or "" for r in self.responses]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def customs(self) -> list[dict[str, Any]]:
        """Custom payloads (e.g. the gateway's hand-off request)."""
        return [r["custom"] for r in self.responses if r.get("custom")]

    @property
    def response_names(self) -> list[str]:
        return [r["response"] for r in self.responses if r.get("response")]

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [b for r in self.responses for b in r.get("buttons") or []]

    @property
    def button_titles(self) -> list[str]:
        return [b["title"] for b in self.buttons]

    @property
    def payloads(self) -> list[str]:
        return [b["payload"] for b in self.buttons]

    @property
    def slots(self) -> dict[str, Any]:
        """The slots this action set (the last value of each)."""
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}

    def has_event(self, kind: str, **fields: Any) -> bool:
        return any(
            e.get("event") == kind and all(e.get(k) == v for k, v in fields.items())
            for e in self.events
        )


class ActionServer:
    """Calls a running action server the way Rasa does."""

    def __init__(self, url: str, domain: dict[str, Any], token: str = ACTION_SERVER_TOKEN) -> None:
        self.url = url
        self.domain = domain
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def run(self, action: str, tracker: dict[str, Any], timeout: float = 30.0) -> Reply:
        body = {
            "next_action": action,
            "sender_id": tracker["sender_id"],
            "tracker": tracker,
            "domain": self.domain,
            "version": "3.6.21",
        }
        response = self.http.post(f"{self.url}/webhook", json=body, timeout=timeout)
        assert response.status_code == 200, (
            f"{action}: {response.status_code} {response.text[:2000]}"
        )
        data = response.json()
        return Reply(events=data.get("events") or [], responses=data.get("responses") or [])

    def action_names(self) -> list[str]:
        return [a["name"] for a in self.http.get(f"{self.url}/actions", timeout=10).json()]

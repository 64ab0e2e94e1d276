"""Run the real action server (`python -m rasa_sdk --actions actions`) for a test, and call it.

    with run_action_server({"PLATFORM_API_URL": base_url, "PLATFORM_API_KEY": key}) as url:
        reply = ActionServer(url, domain).run("action_check_credits", tracker)
        reply.text, reply.buttons, reply.slots

The server speaks the same protocol Rasa uses: POST /webhook with next_action, tracker and domain.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from bot.processes import Ports, actions_process
from tests.helpers.processes import free_port, running


@contextmanager
def run_action_server(env: dict[str, str]) -> Iterator[str]:
    """Serve our actions on a free loopback port with `env` added; yields the base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(actions_process(Ports(actions=port)), f"{url}/health", env=env, timeout=30):
        yield url


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

    def __init__(self, url: str, domain: dict[str, Any]) -> None:
        self.url = url
        self.domain = domain
        self.http = requests.Session()

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

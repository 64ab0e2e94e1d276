"""Run the real action server (`python -m rasa_sdk --actions actions`) for a test, and call it.

    with run_action_server({"PLATFORM_API_URL": base_url, "PLATFORM_API_KEY": key}) as url:
        reply = ActionServer(url, domain).run("action_check_credits", tracker)
        reply.text, reply.buttons, reply.slots

The server speaks the same protocol Rasa uses: POST /webhook with next_action, tracker and domain.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def run_action_server(env: dict[str, str]) -> Iterator[str]:
    """Serve our actions on a free loopback port with `env` added; yields the base URL."""
    port = free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="action-server-"))
    log_path = log_dir / "output.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "SANIC_HOST": "127.0.0.1", **env},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process, log_path)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            shutil.rmtree(log_dir, ignore_errors=True)


def _wait_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"action server exited:\n{log_path.read_text()[-4000:]}")
        try:
            if requests.get(f"{url}/health", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"action server not healthy in {START_TIMEOUT:.0f}s:\n{log_path.read_text()[-4000:]}"
    )


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

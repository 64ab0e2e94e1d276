"""The whole assistant on free ports: the sandbox, the action server and Rasa with the model."""
from __future__ import annotations

import secrets
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bot.config import DEV_PLATFORM_API_KEY
from bot.processes import ROOT, Ports, actions_process, health_urls, rasa_process, sandbox_process
from tests.helpers.processes import free_port, running

from tests.helpers.model import model  # noqa: F401  (fixture)


@dataclass
class Assistant:
    ports: Ports
    token: str

    @property
    def sandbox(self) -> str:
        return f"http://127.0.0.1:{self.ports.sandbox}"

    def platform(self, method: str, path: str, **kwargs) -> requests.Response:
        """Calls the sandbox platform API with the bot's key (to check what really happened)."""
        headers = {"Authorization": f"Bearer {DEV_PLATFORM_API_KEY}"}
        return requests.request(method, f"{self.sandbox}{path}", headers=headers, timeout=10,
                                **kwargs)

    def reset_demo_hub(self) -> None:
        self.platform("POST", "/api/v1/admin/reset").raise_for_status()

    def tracker(self, sender: str) -> dict:
        url = f"http://127.0.0.1:{self.ports.rasa}/conversations/{sender}/tracker"
        response = requests.get(url, params={"token": self.token}, timeout=10)
        response.raise_for_status()
        return response.json()


class Chat:
    """One conversation over Rasa's REST channel, as a given demo client (or signed out)."""

    def __init__(self, assistant: Assistant, client_id: str | None):
        self.assistant = assistant
        self.sender = f"e2e-{uuid.uuid4().hex[:12]}"
        self.metadata = {"client_id": client_id, "channel": "test"} if client_id else {}

    def say(self, message: str) -> list[dict]:
        url = f"http://127.0.0.1:{self.assistant.ports.rasa}/webhooks/rest/webhook"
        response = requests.post(url, json={"sender": self.sender, "message": message,
                                            "metadata": self.metadata}, timeout=60)
        response.raise_for_status()
        return response.json()

    def click(self, replies: list[dict], title_part: str) -> list[dict]:
        """Presses the first button whose title contains the text (case-insensitive)."""
        return self.say(button(replies, title_part)["payload"])


def text_of(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def buttons_of(replies: list[dict]) -> list[dict]:
    return [b for r in replies for b in (r.get("buttons") or [])]


def button(replies: list[dict], title_part: str) -> dict:
    for candidate in buttons_of(replies):
        if title_part.lower() in candidate["title"].lower():
            return candidate
    raise AssertionError(f"no button with {title_part!r} in {[b['title'] for b in buttons_of(replies)]}")


def endpoints_with_tracker_db(folder: Path) -> Path:
    """A copy of endpoints.yml whose tracker store is a fresh database in the folder."""
    text = (ROOT / "endpoints.yml").read_text()
    assert "db: var/rasa-tracker.db" in text
    copy = folder / "endpoints.yml"
    copy.write_text(text.replace("db: var/rasa-tracker.db", f"db: {folder / 'tracker.db'}"))
    return copy


@pytest.fixture(scope="session")
def assistant(model: Path, tmp_path_factory) -> Assistant:
    ports = Ports(rasa=free_port(), actions=free_port(), sandbox=free_port())
    token = secrets.token_urlsafe(16)
    urls = health_urls(ports, token)
    state = tmp_path_factory.mktemp("assistant")
    database = state / "sandbox.db"
    with ExitStack() as stack:
        stack.enter_context(running(
            sandbox_process(ports, ["--reset"]), urls["sandbox"],
            env={"SANDBOX_DATABASE_URL": f"sqlite:///{database}"}))
        stack.enter_context(running(actions_process(ports), urls["actions"]))
        stack.enter_context(running(
            rasa_process(ports, model, token, endpoints=endpoints_with_tracker_db(state)), urls["rasa"],
            timeout=240))
        yield Assistant(ports, token)


@pytest.fixture
def chat(assistant: Assistant):
    """Opens a new conversation as a demo client: chat("c-ben")."""
    return lambda client_id=None: Chat(assistant, client_id)

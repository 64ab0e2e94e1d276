"""Run the real gateway process (`python -m bot.gateway`) for a test, and talk to it over HTTP.

    with run_gateway(tmp_path, rasa_port=..., shared=SharedSecrets(...)) as gateway:
        widget = gateway.widget(client_id="c-ben")      # a signed-in conversation
        sent = widget.say("how many credits?")
        reply = widget.wait_for_reply(after=sent["seq"])
        console = gateway.console().login()
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bot.identity import issue_identity_token
from bot.processes import Ports, ProcessSpec, SharedSecrets, gateway_process
from tests.helpers.processes import free_port, running_together
from tests.helpers.sse import EventStream

WIDGET_SECRET = "gateway-test-widget-secret-0123456789"
AGENT_EMAIL = "agent@support.example"
AGENT_PASSWORD = "gateway-test-password-9876"
LEAD_PASSWORD = "gateway-test-lead-password-5432"
AGENT_NAME = "Sam"
ALWAYS_OPEN = {"SUPPORT_OPEN_HOUR": "0", "SUPPORT_CLOSE_HOUR": "24",
               "SUPPORT_DAYS": "mon,tue,wed,thu,fri,sat,sun"}
NEVER_OPEN = {"SUPPORT_DAYS": ""}
# Every test client calls from 127.0.0.1: the widget limits are out of the way unless a test
# sets its own (tests/gateway/test_gateway_limits.py).
NO_WIDGET_LIMITS = {"WIDGET_LIMIT_PER_IP": "1000000", "WIDGET_LIMIT_PER_CONVERSATION": "1000000"}


@dataclass
class Gateway:
    url: str
    database_url: str
    pid: int | None = None

    def widget(self, client_id: str | None = None, token: str | None = None) -> Widget:
        """A new widget conversation: signed in as `client_id` (a valid token), or signed out."""
        if token is None and client_id is not None:
            token = issue_identity_token(client_id, WIDGET_SECRET)
        response = requests.post(f"{self.url}/widget/api/conversations",
                                 json={"identity_token": token}, timeout=10)
        assert response.status_code == 201, response.text
        return Widget(self.url, response.json(), token)

    def console(self, email: str = AGENT_EMAIL, password: str = AGENT_PASSWORD) -> Console:
        return Console(self.url, email, password)


class Widget:
    """One client's conversation through the widget API."""

    def __init__(self, url: str, started: dict[str, Any], token: str | None = None) -> None:
        self.url = url
        self.started = started
        self.token = token
        self.id = started["conversation_id"]
        self.key = started["conversation_key"]
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {self.key}"

    def post(self, body: dict[str, Any]) -> requests.Response:
        return self.http.post(f"{self.url}/widget/api/messages", json=body, timeout=10)

    def say(self, text: str, **extra: Any) -> dict[str, Any]:
        response = self.post({"text": text, **extra})
        assert response.status_code == 202, response.text
        return response.json()["message"]

    def press(self, payload: str, title: str = "a button") -> dict[str, Any]:
        response = self.post({"payload": payload, "title": title})
        assert response.status_code == 202, response.text
        return response.json()["message"]

    def history(self, after: int = 0) -> list[dict[str, Any]]:
        response = self.http.get(f"{self.url}/widget/api/messages", params={"after": after},
                                 timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["messages"]

    def wait_for(self, predicate, after: int = 0, timeout: float = 60.0) -> dict[str, Any]:
        """The first message after `after` that matches, polling the history."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.history(after):
                if predicate(message):
                    return message
            if time.monotonic() > deadline:
                raise AssertionError(f"no matching message in {timeout:.0f} s: "
                                     f"{[(m['sender'], m['text'][:80]) for m in self.history()]}")
            time.sleep(0.2)

    def wait_for_reply(self, after: int, sender: str = "bot", timeout: float = 60.0,
                       containing: str = "") -> dict[str, Any]:
        return self.wait_for(lambda m: m["sender"] == sender
                             and containing.lower() in m["text"].lower(), after, timeout)

    def replies_after(self, seq: int, settle: float = 1.0) -> list[dict[str, Any]]:
        """Everything after `seq` once nothing new has arrived for `settle` seconds."""
        seen, quiet_since = -1, time.monotonic()
        while time.monotonic() - quiet_since < settle:
            messages = self.history(seq)
            if len(messages) != seen:
                seen, quiet_since = len(messages), time.monotonic()
            time.sleep(0.1)
        return self.history(seq)

    def resume(self) -> requests.Response:
        """What the widget does on a reload: the same identity token and key."""
        return requests.post(f"{self.url}/widget/api/conversations",
                             json={"identity_token": self.token, "conversation_key": self.key},
                             timeout=10)

    def mode(self) -> str:
        response = self.resume()
        assert response.status_code == 200, response.text
        return response.json()["mode"]

    def events(self, after: int | None = None, last_event_id: str | None = None) -> EventStream:
        params = f"?key={self.key}" + (f"&after={after}" if after is not None else "")
        headers = {"Last-Event-ID": last_event_id} if last_event_id is not None else {}
        return EventStream(f"{self.url}/widget/api/events{params}", headers=headers)


class Console:
    """One agent's console session."""

    def __init__(self, url: str, email: str, password: str) -> None:
        self.url, self.email, self.password = url, email, password
        self.http = requests.Session()
        self.http.headers["X-Requested-With"] = "console"

    def login(self) -> Console:
        response = self.http.post(f"{self.url}/console/api/login",
                                  json={"email": self.email, "password": self.password},
                                  timeout=10)
        assert response.status_code == 200, response.text
        return self

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.url}/console/api{path}", timeout=15)

    def post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return self.http.post(f"{self.url}/console/api{path}", json=body or {}, timeout=30)

    def queue(self) -> list[dict[str, Any]]:
        response = self.get("/queue")
        assert response.status_code == 200, response.text
        return response.json()["conversations"]

    def transcript(self, conversation_id: str) -> dict[str, Any]:
        response = self.get(f"/conversations/{conversation_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def claim(self, conversation_id: str) -> requests.Response:
        return self.post(f"/conversations/{conversation_id}/claim")

    def reply(self, conversation_id: str, text: str) -> requests.Response:
        return self.post(f"/conversations/{conversation_id}/reply", {"text": text})

    def note(self, conversation_id: str, text: str) -> requests.Response:
        return self.post(f"/conversations/{conversation_id}/notes", {"text": text})

    def resolve(self, conversation_id: str) -> requests.Response:
        return self.post(f"/conversations/{conversation_id}/resolve")

    def handback(self, conversation_id: str) -> requests.Response:
        return self.post(f"/conversations/{conversation_id}/handback")

    def events(self) -> EventStream:
        return EventStream(f"{self.url}/console/api/events",
                           cookies=self.http.cookies.get_dict())

    def wait_until_waiting(self, conversation_id: str, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.queue():
                if line["id"] == conversation_id and line["mode"] == "waiting":
                    return line
            time.sleep(0.2)
        raise AssertionError(f"conversation {conversation_id} never reached the queue")


def new_client_message_id() -> str:
    return str(uuid.uuid4())


@contextmanager
def run_gateway(folder: Path, rasa_port: int, shared: SharedSecrets,
                sandbox_port: int | None = None,
                env: dict[str, str] | None = None,
                database_url: str | None = None,
                gateway_port: int | None = None) -> Iterator[Gateway]:
    """The gateway on `gateway_port` (else a free port) with its own SQLite store in `folder`
    (or `database_url`), calling Rasa with `shared`'s secrets."""
    with run_gateways(1, folder, rasa_port, shared, sandbox_port, env, database_url,
                      gateway_port) as [gateway]:
        yield gateway


@contextmanager
def run_gateways(count: int, folder: Path, rasa_port: int, shared: SharedSecrets,
                 sandbox_port: int | None = None, env: dict[str, str] | None = None,
                 database_url: str | None = None,
                 gateway_port: int | None = None) -> Iterator[list[Gateway]]:
    """`count` gateway processes on one store, started at the same moment (replicas); the first
    on `gateway_port` if given, the others on free ports."""
    database_url = database_url or f"sqlite:///{folder / 'gateway.db'}"
    sandbox_port = sandbox_port or free_port()
    specs = []
    for index in range(count):
        port = gateway_port if gateway_port and index == 0 else free_port()
        spec, settings = _gateway_spec(rasa_port, shared, sandbox_port, port,
                                       {**_privacy_defaults(folder), **(env or {})},
                                       database_url)
        specs.append((spec, f"http://127.0.0.1:{port}/health", settings))
    with running_together(specs, timeout=60) as processes:
        yield [Gateway(health.removesuffix("/health"), database_url, process.pid)
               for (_, health, _), process in zip(specs, processes, strict=True)]


@contextmanager
def run_workers_in_turn(count: int, folder: Path, rasa_port: int, shared: SharedSecrets,
                        database_url: str, env: dict[str, str] | None = None,
                        ) -> Iterator[list[Gateway]]:
    """`count` gateway processes on one store started one after the other (the first migrates
    the store; started together on an empty PostgreSQL store they would race to create it)."""
    with ExitStack() as stack:
        yield [stack.enter_context(run_gateway(folder, rasa_port, shared, env=env,
                                               database_url=database_url))
               for _ in range(count)]


def _privacy_defaults(folder: Path) -> dict[str, str]:
    """Never the checkout's own files: Rasa's trackers (erased with a conversation) and the
    review queue's exports live in the test's folder unless the test says otherwise."""
    return {"RASA_TRACKER_STORE_URL": f"sqlite:///{folder / 'rasa-tracker.db'}",
            "REVIEW_EXPORT_DIR": str(folder / "reviewed")}


def _gateway_spec(rasa_port: int, shared: SharedSecrets, sandbox_port: int, gateway_port: int,
                  env: dict[str, str] | None,
                  database_url: str) -> tuple[ProcessSpec, dict[str, str]]:
    ports = Ports(rasa=rasa_port, sandbox=sandbox_port, gateway=gateway_port)
    settings = {
        "GATEWAY_DATABASE_URL": database_url,
        "WIDGET_TOKEN_SECRET": WIDGET_SECRET,
        "DEMO_AGENT_EMAIL": AGENT_EMAIL,
        "DEMO_AGENT_PASSWORD": AGENT_PASSWORD,
        "DEMO_LEAD_PASSWORD": LEAD_PASSWORD,
        "DEMO_AGENT_NAME": AGENT_NAME,
        "PLATFORM_API_URL": f"http://127.0.0.1:{ports.sandbox}",
        "RASA_TIMEOUT": "30",
        **ALWAYS_OPEN,
        **NO_WIDGET_LIMITS,
        **(env or {}),
    }
    return gateway_process(ports, shared), settings

"""The whole assistant on free ports, once per test session: the sandbox, the action server and
Rasa with the trained model. tests/e2e drives Rasa directly; tests/gateway and tests/browser put a
gateway in front (`live_gateway`, tests/helpers/live_gateway.py, on the port reserved here).

The sandbox serves the demo client dashboards (`/dashboard/{client_id}`) with a working widget: it
signs identity tokens with the gateway's test secret and points the widget at the reserved port.

Rasa's token begins with `-` on purpose (tests/e2e/test_rasa_server.py).

`assistant` is registered in tests/conftest.py, so every suite shares the one stack.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from bot.core.rasa_client import rasa_api_token
from bot.processes import (
    ROOT,
    Ports,
    SharedSecrets,
    actions_process,
    health_urls,
    rasa_process,
    sandbox_process,
)
from envsettings.generated import new_secret
from platform_api import DEV_PLATFORM_API_KEY
from rasa_addons.internal_auth import WEBHOOK_SECRET_HEADER
from tests.helpers.gateway import WIDGET_SECRET
from tests.helpers.processes import free_port, running


@dataclass
class Assistant:
    ports: Ports
    shared: SharedSecrets
    pids: dict[str, int] = field(default_factory=dict)  # process name -> pid
    tracker_db: Path | None = None  # Rasa's SQLite tracker store (erasure deletes from it)

    @property
    def sandbox(self) -> str:
        return f"http://127.0.0.1:{self.ports.sandbox}"

    @property
    def gateway(self) -> str:
        """Where `live_gateway` listens (reserved here so the dashboards can point at it)."""
        return f"http://127.0.0.1:{self.ports.gateway}"

    @property
    def rasa(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    def platform(self, method: str, path: str, **kwargs) -> requests.Response:
        """Calls the sandbox platform API with the bot's key (to check what really happened)."""
        headers = {"Authorization": f"Bearer {DEV_PLATFORM_API_KEY}"}
        return requests.request(method, f"{self.sandbox}{path}", headers=headers, timeout=10,
                                **kwargs)

    def reset_demo_hub(self) -> None:
        self.platform("POST", "/api/v1/admin/reset").raise_for_status()

    def tracker(self, sender: str) -> dict:
        """The conversation's tracker from Rasa's HTTP API, asked as the gateway asks (a JWT)."""
        url = f"{self.rasa}/conversations/{sender}/tracker"
        token = rasa_api_token(self.shared.rasa_token)
        response = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        response.raise_for_status()
        return response.json()

    def webhook(self, sender: str, message: str, metadata: dict | None = None,
                secret: str | None = None, **kwargs) -> requests.Response:
        """Posts to Rasa's REST channel as the gateway does (with its secret, unless given)."""
        secret = self.shared.webhook_secret if secret is None else secret
        headers = {WEBHOOK_SECRET_HEADER: secret} if secret else {}
        return requests.post(f"{self.rasa}/webhooks/rest/webhook", headers=headers, timeout=60,
                             json={"sender": sender, "message": message,
                                   "metadata": metadata or {}}, **kwargs)


def endpoints_with_tracker_db(folder: Path) -> Path:
    """A copy of endpoints.yml whose tracker store is a fresh database in the folder."""
    text = (ROOT / "endpoints.yml").read_text()
    assert "db: var/rasa-tracker.db" in text
    copy = folder / "endpoints.yml"
    copy.write_text(text.replace("db: var/rasa-tracker.db", f"db: {folder / 'tracker.db'}"))
    return copy


@pytest.fixture(scope="session")
def assistant(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    ports = Ports(rasa=free_port(), actions=free_port(), sandbox=free_port(),
                  gateway=free_port())
    # Deliberately a Rasa token that begins with `-`, as one generated token in 64 did before
    # `new_secret`, and as an old .env may still hold: Rasa must start with it.
    shared = SharedSecrets.generate(rasa_token="-" + new_secret(24))
    urls = health_urls(ports)
    state = tmp_path_factory.mktemp("assistant")
    database = state / "sandbox.db"
    with ExitStack() as stack:
        sandbox = stack.enter_context(running(
            sandbox_process(ports, ["--reset"]), urls["sandbox"],
            env={"SANDBOX_DATABASE_URL": f"sqlite:///{database}",
                 # the demo dashboards: tokens the gateway accepts, the widget from its port
                 "WIDGET_TOKEN_SECRET": WIDGET_SECRET,
                 "GATEWAY_PUBLIC_URL": f"http://127.0.0.1:{ports.gateway}"}))
        actions = stack.enter_context(running(actions_process(ports, shared), urls["actions"]))
        rasa = stack.enter_context(running(
            rasa_process(ports, model, shared, endpoints=endpoints_with_tracker_db(state)),
            urls["rasa"], timeout=240))
        yield Assistant(ports, shared, {"sandbox": sandbox.pid, "actions": actions.pid,
                                        "rasa": rasa.pid}, tracker_db=state / "tracker.db")

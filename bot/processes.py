"""The commands that start each process of the assistant; `make run` and the tests share them."""
from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"


@dataclass(frozen=True)
class Ports:
    rasa: int = 5005
    actions: int = 5055
    sandbox: int = 8000
    gateway: int = 8080


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]
    env: dict[str, str]

    @property
    def command(self) -> str:
        return shlex.join(self.argv)


def sandbox_process(ports: Ports, extra_args: list[str] | None = None) -> ProcessSpec:
    return ProcessSpec(
        name="sandbox",
        argv=[str(VENV_PYTHON), "-m", "sandbox", *(extra_args or [])],
        env={"SANDBOX_PORT": str(ports.sandbox), "SANDBOX_HOST": "127.0.0.1"},
    )


def actions_process(ports: Ports) -> ProcessSpec:
    return ProcessSpec(
        name="actions",
        argv=[str(VENV_PYTHON), "-m", "rasa_sdk", "--actions", "actions",
              "--port", str(ports.actions)],
        env={
            "SANIC_HOST": "127.0.0.1",
            "PLATFORM_API_URL": os.environ.get(
                "PLATFORM_API_URL", f"http://127.0.0.1:{ports.sandbox}"),
        },
    )


def rasa_process(ports: Ports, model: Path, token: str,
                 endpoints: Path = ROOT / "endpoints.yml") -> ProcessSpec:
    """Rasa's server: REST channel plus the HTTP API, loopback only, token-protected."""
    (ROOT / "var").mkdir(exist_ok=True)  # the default tracker store's SQLite file lives there
    return ProcessSpec(
        name="rasa",
        argv=[str(RASA), "run", "--enable-api", "--auth-token", token,
              "--interface", "127.0.0.1", "--port", str(ports.rasa), "--model", str(model),
              "--credentials", "credentials.yml", "--endpoints", str(endpoints)],
        env={
            "PYTHONPATH": str(ROOT),
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports.actions}/webhook",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        },
    )


def gateway_process(ports: Ports, rasa_token: str) -> ProcessSpec:
    """The front door: widget API, console, routing to Rasa (settings from the environment)."""
    (ROOT / "var").mkdir(exist_ok=True)  # the default conversation store's SQLite file lives there
    return ProcessSpec(
        name="gateway",
        argv=[str(VENV_PYTHON), "-m", "bot.gateway"],
        env={
            "GATEWAY_PORT": str(ports.gateway),
            "RASA_URL": f"http://127.0.0.1:{ports.rasa}",
            "RASA_TOKEN": rasa_token,
            "PLATFORM_API_URL": os.environ.get(
                "PLATFORM_API_URL", f"http://127.0.0.1:{ports.sandbox}"),
        },
    )


def health_urls(ports: Ports, rasa_token: str) -> dict[str, str]:
    """URLs that answer 200 once each process is ready (Rasa's only after its model loaded)."""
    return {
        "sandbox": f"http://127.0.0.1:{ports.sandbox}/api/v1/health",
        "actions": f"http://127.0.0.1:{ports.actions}/health",
        "rasa": f"http://127.0.0.1:{ports.rasa}/status?token={rasa_token}",
        "gateway": f"http://127.0.0.1:{ports.gateway}/health",
    }

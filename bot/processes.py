"""The commands that start each process of the assistant; `make run` and the tests share them.

Pure: each spec is built from the settings passed in (`bot.config.Ports` and the `SharedSecrets`,
read once by `bot.cli` or chosen by a test); nothing here reads the environment. A spec's `env` is
what the process needs on top of the environment it inherits. Secrets travel only there, never on
a command line (which every user of the machine can read) or in a URL.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from bot.config import Ports
from envsettings.generated import new_secret

__all__ = [
    "RASA",
    "RASA_PYTHON",
    "ROOT",
    "VENV_PYTHON",
    "Ports",
    "ProcessSpec",
    "SharedSecrets",
    "actions_process",
    "gateway_process",
    "health_urls",
    "local_platform_url",
    "rasa_process",
    "sandbox_process",
]

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


@dataclass(frozen=True)
class SharedSecrets:
    """What our processes prove themselves with to each other (docs/contracts.md)."""

    rasa_token: str      # RASA_TOKEN: signs the gateway's JWTs for Rasa's HTTP API
    webhook_secret: str  # RASA_WEBHOOK_SECRET: the gateway -> Rasa's REST channel
    action_token: str    # ACTION_SERVER_TOKEN: Rasa -> the action server

    def __repr__(self) -> str:  # never the secrets
        return "SharedSecrets(...)"

    @classmethod
    def generate(cls, rasa_token: str | None = None, webhook_secret: str | None = None,
                 action_token: str | None = None) -> SharedSecrets:
        """The ones given, and a fresh random one (43 characters) for each one not given."""
        return cls(rasa_token or new_secret(), webhook_secret or new_secret(),
                   action_token or new_secret())


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


def local_platform_url(ports: Ports) -> str:
    """The platform API when nothing else is set: the local sandbox."""
    return f"http://127.0.0.1:{ports.sandbox}"


def actions_process(ports: Ports, shared: SharedSecrets,
                    platform_api_url: str | None = None) -> ProcessSpec:
    """The action server (`python -m actions`: it reads ACTIONS_PORT, ACTION_SERVER_TOKEN and the
    platform settings itself and refuses to start on bad ones); the platform is the local
    sandbox unless given."""
    return ProcessSpec(
        name="actions",
        argv=[str(VENV_PYTHON), "-m", "actions"],
        env={
            "ACTIONS_PORT": str(ports.actions),
            "SANIC_HOST": "127.0.0.1",  # loopback only
            "ACTION_SERVER_TOKEN": shared.action_token,
            "PLATFORM_API_URL": platform_api_url or local_platform_url(ports),
        },
    )


def rasa_process(ports: Ports, model: Path, shared: SharedSecrets,
                 endpoints: Path = ROOT / "endpoints.yml") -> ProcessSpec:
    """Rasa's server: REST channel plus the HTTP API, loopback only, both for the gateway only.

    `python -m rasa_addons.serve run ...` is `rasa run` with the HTTP API's JWT secret taken from
    RASA_TOKEN in its environment (not its command line); credentials.yml gives the REST channel
    RASA_WEBHOOK_SECRET, endpoints.yml the action endpoint ACTION_SERVER_TOKEN.

    Every value is passed as `--option=value`: a token that begins with `-` (an existing .env may
    hold one) is then still the option's value, never read as another option.

    The one side effect here: Rasa doesn't create the folder of endpoints.yml's SQLite tracker
    store (var/), so this does (the gateway and the sandbox create their stores' folders)."""
    (ROOT / "var").mkdir(exist_ok=True)
    return ProcessSpec(
        name="rasa",
        argv=[str(RASA_PYTHON), "-m", "rasa_addons.serve", "run", "--enable-api",
              "--interface=127.0.0.1", f"--port={ports.rasa}", f"--model={model}",
              "--credentials=credentials.yml", f"--endpoints={endpoints}"],
        env={
            "PYTHONPATH": str(ROOT),
            "RASA_TOKEN": shared.rasa_token,
            "RASA_WEBHOOK_SECRET": shared.webhook_secret,
            "ACTION_SERVER_TOKEN": shared.action_token,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports.actions}/webhook",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        },
    )


def gateway_process(ports: Ports, shared: SharedSecrets,
                    platform_api_url: str | None = None) -> ProcessSpec:
    """The front door: widget API, console, routing to Rasa (its other settings from the
    environment it inherits); the platform is the local sandbox unless given."""
    return ProcessSpec(
        name="gateway",
        argv=[str(VENV_PYTHON), "-m", "bot.gateway"],
        env={
            "GATEWAY_PORT": str(ports.gateway),
            "RASA_URL": f"http://127.0.0.1:{ports.rasa}",
            "RASA_TOKEN": shared.rasa_token,
            "RASA_WEBHOOK_SECRET": shared.webhook_secret,
            "PLATFORM_API_URL": platform_api_url or local_platform_url(ports),
        },
    )


def health_urls(ports: Ports) -> dict[str, str]:
    """URLs that answer 200 once each process is ready (Rasa serves only once its model is
    loaded; its REST channel's health needs no secret)."""
    return {
        "sandbox": f"http://127.0.0.1:{ports.sandbox}/api/v1/health",
        "actions": f"http://127.0.0.1:{ports.actions}/health",
        "rasa": f"http://127.0.0.1:{ports.rasa}/webhooks/rest/",
        "gateway": f"http://127.0.0.1:{ports.gateway}/health",
    }

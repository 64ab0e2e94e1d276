"""The commands that start each process of the assistant; `make run` and the tests share them.

Pure: each spec is built from the settings passed in (`bot.config.Ports` and the `SharedSecrets`,
read once by `bot.cli` or chosen by a test); nothing here reads the environment. A spec's `env` is
what the process needs on top of the environment it inherits. Secrets travel only there, never on
a command line (which every user of the machine can read) or in a URL.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import make_url

from bot.config import Ports
from envsettings.generated import new_secret

__all__ = [
    "RASA",
    "RASA_PYTHON",
    "ROOT",
    "VENV_PYTHON",
    "Ports",
    "ProcessSpec",
    "ProductionStores",
    "SharedSecrets",
    "actions_process",
    "gateway_process",
    "health_urls",
    "local_platform_url",
    "production_health_urls",
    "production_process_specs",
    "production_stores",
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


# --- the production profile (`make run-prod`) ----------------------------------------------------

PRODUCTION_ENDPOINTS = ROOT / "endpoints-production.yml"
REPLICAS = 2
# A conversation's lock in Redis outlives a Rasa replica killed while holding it by this many
# seconds at most: less than RASA_TIMEOUT, so its conversation carries on elsewhere in time.
LOCK_LIFETIME_SECONDS = 15


@dataclass(frozen=True)
class ProductionStores:
    """Each store's settings, as environment variables of the processes that use it: one
    PostgreSQL database with a schema per store, and one Redis."""

    gateway: dict[str, str]
    sandbox: dict[str, str]
    rasa: dict[str, str]

    def __repr__(self) -> str:  # they hold passwords
        return "ProductionStores(...)"


def in_schema(postgres_url: str, schema: str) -> str:
    """The URL with `schema` as its search_path."""
    url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def production_stores(postgres_url: str, redis_url: str, schema_prefix: str = "",
                      lock_prefix: str = "wellbeinghub") -> ProductionStores:
    """The schemas are `{schema_prefix}gateway`, `...sandbox` and `...rasa_tracker` (see
    `production_schemas`); Rasa's lock keys begin with `lock_prefix` (letters and digits)."""
    pg = make_url(postgres_url)
    redis = urlsplit(redis_url)
    return ProductionStores(
        gateway={"GATEWAY_DATABASE_URL": in_schema(postgres_url, f"{schema_prefix}gateway"),
                 "GATEWAY_REDIS_URL": redis_url,
                 # erasure removes Rasa's trackers too (bot/core/erasure.py)
                 "RASA_TRACKER_STORE_URL": in_schema(postgres_url,
                                                     f"{schema_prefix}rasa_tracker")},
        sandbox={"SANDBOX_DATABASE_URL": in_schema(postgres_url, f"{schema_prefix}sandbox")},
        rasa={
            "RASA_TRACKER_DB_HOST": pg.host or "127.0.0.1",
            "RASA_TRACKER_DB_PORT": str(pg.port or 5432),
            "RASA_TRACKER_DB_NAME": pg.database or "postgres",
            "RASA_TRACKER_DB_USER": pg.username or "",
            "RASA_TRACKER_DB_PASSWORD": pg.password or "",
            "RASA_TRACKER_DB_OPTIONS": f"-csearch_path={schema_prefix}rasa_tracker",
            "RASA_LOCK_REDIS_HOST": redis.hostname or "127.0.0.1",
            "RASA_LOCK_REDIS_PORT": str(redis.port or 6379),
            "RASA_LOCK_REDIS_DB": redis.path.strip("/") or "0",
            "RASA_LOCK_REDIS_PASSWORD": redis.password or "",
            "RASA_LOCK_KEY_PREFIX": lock_prefix,
            "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_SECONDS),
        })


def production_schemas(schema_prefix: str = "") -> list[str]:
    return [f"{schema_prefix}{name}" for name in ("gateway", "sandbox", "rasa_tracker")]


def replica_ports(ports: Ports, replica: int) -> Ports:
    """Replica `replica` (0, 1, ...) of Rasa and of the action server: the next ports up."""
    return replace(ports, rasa=ports.rasa + replica, actions=ports.actions + replica)


def named(spec: ProcessSpec, name: str, env: dict[str, str]) -> ProcessSpec:
    return replace(spec, name=name, env={**spec.env, **env})


def production_process_specs(ports: Ports, model: Path, shared: SharedSecrets,
                             stores: ProductionStores, platform_api_url: str | None = None,
                             replicas: int = REPLICAS) -> list[ProcessSpec]:
    """The sandbox, then `replicas` action servers, Rasa servers (each with its own action
    server) and gateway workers (all on the gateway's port, SO_REUSEPORT), on the stores."""
    specs = [named(sandbox_process(ports, ["--reset"]), "sandbox", stores.sandbox)]
    rasa_urls = []
    for replica in range(replicas):
        own = replica_ports(ports, replica)
        rasa_urls.append(f"http://127.0.0.1:{own.rasa}")
        specs.append(named(actions_process(own, shared, platform_api_url),
                           f"actions-{replica + 1}", {}))
        specs.append(named(rasa_process(own, model, shared, PRODUCTION_ENDPOINTS),
                           f"rasa-{replica + 1}", stores.rasa))
    gateway = {**stores.gateway, "RASA_URL": ",".join(rasa_urls), "GATEWAY_REUSE_PORT": "1"}
    specs.extend(named(gateway_process(ports, shared, platform_api_url), f"gateway-{replica + 1}",
                       gateway) for replica in range(replicas))
    return specs


def production_health_urls(ports: Ports, replicas: int = REPLICAS) -> dict[str, str]:
    urls = health_urls(ports)
    for replica in range(replicas):
        own = health_urls(replica_ports(ports, replica))
        urls[f"rasa-{replica + 1}"], urls[f"actions-{replica + 1}"] = own["rasa"], own["actions"]
    del urls["rasa"], urls["actions"]
    return urls

"""The production profile on free ports, for a test or the benchmark: the sandbox, two action
servers, two Rasa servers (the trained model, trackers in PostgreSQL, locks in Redis) and two
gateway workers on one port, each store in its own throw-away schema (dropped afterwards).

    with production_stack(model, folder) as stack:
        widget = stack.gateway.widget("c-anna")
        stack.kill_rasa(1)             # SIGKILL replica 1 (0-based)
        stack.kill("actions-1")        # SIGKILL any process by its name
        stack.start_again("actions-1") # what a supervisor (Kubernetes) does for a dead process

`platform_via(sandbox_url)` gives the URL the action servers and the gateways call the platform
API at (a proxy in front of the sandbox), instead of the sandbox's own.

The processes are those of `make run-prod` (bot/processes.py `production_process_specs`), with
the gateway settings the gateway tests use (tests/helpers/gateway.py).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.processes import (
    Ports,
    ProcessSpec,
    SharedSecrets,
    local_platform_url,
    production_health_urls,
    production_process_specs,
    production_schemas,
    production_stores,
)
from tests.helpers.gateway import Gateway, _gateway_spec
from tests.helpers.postgres import DEFAULT_POSTGRES_URL
from tests.helpers.processes import (
    free_port,
    port_reservation,
    running_together,
    wait_until_listening,
)
from tests.helpers.redis_server import TEST_REDIS_URL


@dataclass
class ProductionStack:
    ports: Ports
    shared: SharedSecrets
    gateway: Gateway
    rasa_urls: list[str]
    lock_prefix: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    starts: dict[str, tuple[ProcessSpec, str, dict[str, str]]] = field(default_factory=dict)
    exits: ExitStack = field(default_factory=ExitStack)

    def kill(self, name: str) -> None:
        process = self.processes[name]
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    def kill_rasa(self, replica: int) -> None:
        self.kill(f"rasa-{replica + 1}")

    def start_again(self, name: str, timeout: float = 300) -> None:
        """Starts a process that was killed again, as it was; until it is healthy."""
        [process] = self.exits.enter_context(running_together([self.starts[name]], timeout))
        self.processes[name] = process

    def lock_key(self, conversation_id: str) -> str:
        """Rasa's Redis lock of a conversation (held while a turn runs)."""
        return f"{self.lock_prefix}:lock:{conversation_id}"


def _free_pair() -> int:
    """A port whose next one is free too (a replica's port is the one after the first's)."""
    while True:
        port = free_port()
        try:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue


@contextmanager
def production_stack(model: Path, folder: Path, gateway_env: dict[str, str] | None = None,
                     platform_via: Callable[[str], str] | None = None,
                     ) -> Iterator[ProductionStack]:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    engine = create_engine(DEFAULT_POSTGRES_URL)
    with engine.begin() as connection:
        for schema in production_schemas(f"{prefix}_"):
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    # The gateway's port stays reserved while the Rasa servers load (minutes): their outgoing
    # connections would otherwise be free to take it as their local port.
    reservation = port_reservation()
    ports = Ports(rasa=_free_pair(), actions=_free_pair(), sandbox=free_port(),
                  gateway=reservation.getsockname()[1])
    shared = SharedSecrets.generate()
    stores = production_stores(DEFAULT_POSTGRES_URL, TEST_REDIS_URL, f"{prefix}_", prefix)
    platform_url = (platform_via(local_platform_url(ports)) if platform_via is not None
                    else None)
    specs = production_process_specs(ports, model, shared, stores, platform_url)
    urls = production_health_urls(ports)
    _, test_settings = _gateway_spec(ports.rasa, shared, ports.sandbox, ports.gateway, None, "")
    test_settings = {k: v for k, v in test_settings.items()
                     if k not in ("GATEWAY_DATABASE_URL", "PLATFORM_API_URL")}

    def started(spec: ProcessSpec) -> tuple[ProcessSpec, str, dict[str, str]]:
        health = urls.get(spec.name) or urls[spec.name.split("-")[0]]  # gateway-N: the gateway
        extra = {**test_settings, **(gateway_env or {})} if spec.name.startswith("gateway") \
            else {}
        return spec, health, extra

    backends = [started(s) for s in specs if not s.name.startswith("gateway")]
    gateways = [started(s) for s in specs if s.name.startswith("gateway")]
    try:
        with ExitStack() as stack:
            running = stack.enter_context(running_together(backends, timeout=900))
            first = stack.enter_context(running_together(gateways[:1], timeout=60))
            reservation.close()
            second = stack.enter_context(running_together(gateways[1:], timeout=60))
            # The health check of the second worker is answered by the first one (the same
            # port): without this, a client's kept-alive connections all went to the first.
            wait_until_listening(ports.gateway, len(gateways), timeout=60)
            processes = {spec.name: process for (spec, _, _), process
                         in zip(backends + gateways, running + first + second, strict=True)}
            gateway_url = f"http://127.0.0.1:{ports.gateway}"
            yield ProductionStack(ports, shared,
                                  Gateway(gateway_url, stores.gateway["GATEWAY_DATABASE_URL"]),
                                  [f"http://127.0.0.1:{ports.rasa + i}" for i in range(2)],
                                  prefix, processes,
                                  {start[0].name: start for start in backends + gateways},
                                  stack)
    finally:
        reservation.close()  # (closing twice is harmless)
        with engine.begin() as connection:
            for schema in production_schemas(f"{prefix}_"):
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()

"""Rasa's CPU per message, with and without rasa_addons.action_results (README, "Measured").

    .venv/bin/python scripts/rasa_cpu.py [--messages 15] [--json results/rasa_cpu.json]

For each variant (Rasa's own check of action server responses, then the validator built once) it
starts the sandbox, the action server and one Rasa with the trained model on free ports, warms
them up, then sends MESSAGES help-topic questions and MESSAGES action turns (a credits question,
signed in), one at a time, each from a conversation that has already had its first turn. Rasa's
CPU is read from /proc/<pid>/stat (user + system), not wall time: the machine is shared, so wall
time says more about the neighbours than about Rasa. Rasa's idle CPU over the same time is
subtracted.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.processes import (
    Ports,
    SharedSecrets,
    actions_process,
    health_urls,
    rasa_process,
    sandbox_process,
)
from rasa_addons.internal_auth import WEBHOOK_SECRET_HEADER
from scripts.train import model_path
from tests.helpers.processes import free_port, running
from tests.helpers.stack import endpoints_with_tracker_db

HELP_TOPIC = "how do I add a credit card?"
ACTION_TURN = "how many credits do I have left?"
UNCACHED = ["-c", ("import sys; from rasa_addons.serve import main; "
                   "sys.exit(main(cached_action_check=False))")]
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


@contextmanager
def one_rasa(model: Path, folder: Path, cached: bool) -> Iterator[tuple[str, SharedSecrets, int]]:
    ports = Ports(rasa=free_port(), actions=free_port(), sandbox=free_port())
    shared = SharedSecrets.generate()
    urls = health_urls(ports)
    spec = rasa_process(ports, model, shared, endpoints=endpoints_with_tracker_db(folder))
    if not cached:  # `python -m rasa_addons.serve run ...` -> `main(cached_action_check=False)`
        assert spec.argv[1:3] == ["-m", "rasa_addons.serve"], spec.argv
        spec = replace(spec, argv=[spec.argv[0], *UNCACHED, *spec.argv[3:]])
    with ExitStack() as stack:
        stack.enter_context(running(sandbox_process(ports, ["--reset"]), urls["sandbox"], env={
            "SANDBOX_DATABASE_URL": f"sqlite:///{folder / 'sandbox.db'}"}))
        stack.enter_context(running(actions_process(ports, shared), urls["actions"]))
        rasa = stack.enter_context(running(spec, urls["rasa"], timeout=600))
        yield f"http://127.0.0.1:{ports.rasa}", shared, rasa.pid


def say(url: str, shared: SharedSecrets, sender: str, text: str) -> list[dict]:
    metadata = {"client_id": "c-anna", "channel": "widget", "locale": "en",
                "live_handoff": True, "message_id": str(uuid.uuid4())}
    response = requests.post(f"{url}/webhooks/rest/webhook", timeout=300,
                             headers={WEBHOOK_SECRET_HEADER: shared.webhook_secret},
                             json={"sender": sender, "message": text, "metadata": metadata})
    response.raise_for_status()
    return response.json()


def per_message(url: str, shared: SharedSecrets, pid: int, text: str, count: int,
                idle_rate: float) -> float:
    """Rasa's CPU seconds per message (each from a conversation past its first turn)."""
    senders = [f"cpu-{uuid.uuid4().hex[:12]}" for _ in range(count)]
    for sender in senders:
        say(url, shared, sender, "hello")
    cpu, wall = cpu_seconds(pid), time.monotonic()
    for sender in senders:
        assert say(url, shared, sender, text), f"no answer to {text!r}"
    used = cpu_seconds(pid) - cpu - idle_rate * (time.monotonic() - wall)
    return used / count


def measure(model: Path, cached: bool, count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder, \
            one_rasa(model, Path(folder), cached) as (url, shared, pid):
        for _ in range(3):  # warm-up: the first turns load lazily
            sender = f"warm-{uuid.uuid4().hex[:8]}"
            say(url, shared, sender, HELP_TOPIC)
            say(url, shared, sender, ACTION_TURN)
        time.sleep(2)
        cpu = cpu_seconds(pid)
        time.sleep(5)
        idle_rate = (cpu_seconds(pid) - cpu) / 5
        return {"help_topic_cpu_ms": 1000 * per_message(url, shared, pid, HELP_TOPIC, count,
                                                         idle_rate),
                "action_turn_cpu_ms": 1000 * per_message(url, shared, pid, ACTION_TURN, count,
                                                          idle_rate),
                "idle_cpu_ms_per_s": 1000 * idle_rate}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=15)
    parser.add_argument("--json", type=Path, default=Path("results/rasa_cpu.json"))
    args = parser.parse_args()
    model = model_path()
    report = {"load_average_at_start": os.getloadavg(), "messages": args.messages}
    for name, cached in (("rasa_own_check", False), ("validator_built_once", True)):
        report[name] = measure(model, cached, args.messages)
        print(name, json.dumps(report[name]), flush=True)
    report["load_average_at_end"] = os.getloadavg()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

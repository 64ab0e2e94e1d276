"""Measures reply latency and memory of the running assistant, and prints the figures.

Starts its own sandbox, action server and Rasa (with the current model) on free ports, then sends
N messages of each kind over the REST channel. "Rasa alone" (a help topic: NLU, a rule and a
response, no action server) is the bare-Rasa baseline in the same run; account questions add
our action server and the platform API on top. Memory is each process's resident set size.

    .venv/bin/python scripts/bench.py [-n 50]      (or: make bench)
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Ports  # noqa: E402
from bot.processes import (  # noqa: E402
    SharedSecrets,
    actions_process,
    health_urls,
    rasa_process,
    sandbox_process,
)
from rasa_addons.internal_auth import WEBHOOK_SECRET_HEADER  # noqa: E402
from scripts.train import model_path  # noqa: E402
from tests.helpers.processes import free_port, running  # noqa: E402

KINDS = {
    "help topic (Rasa alone)": ("c-anna", "how do I add a credit card?"),
    "credits (Rasa + actions + platform)": ("c-anna", "how many credits do I have left?"),
    "connections (Rasa + actions + platform)": ("c-anna", "who are my connections?"),
    "unpaid invoices (Rasa + actions + platform)": ("c-ben", "do I have unpaid invoices?"),
}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(url: str, secret: str, client_id: str, text: str, count: int) -> list[float]:
    """As the gateway sends them: with the REST channel's secret."""
    http = requests.Session()
    http.headers[WEBHOOK_SECRET_HEADER] = secret
    sender = f"bench-{uuid.uuid4().hex[:8]}"
    metadata = {"client_id": client_id}
    http.post(url, json={"sender": sender, "message": "hi", "metadata": metadata}, timeout=60)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        reply = http.post(url, json={"sender": sender, "message": text, "metadata": metadata},
                          timeout=60)
        timings.append((time.perf_counter() - started) * 1000)
        assert reply.ok and reply.json(), reply.text
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="messages per kind")
    args = parser.parse_args()
    model = model_path()
    if not model.exists():
        print("No trained model for the current data: run `make train` first.")
        return 1
    ports = Ports(rasa=free_port(), actions=free_port(), sandbox=free_port())
    shared = SharedSecrets.generate()
    urls = health_urls(ports)
    state = Path(tempfile.mkdtemp(prefix="bench-"))
    with ExitStack() as stack:
        started = time.monotonic()
        sandbox = stack.enter_context(running(
            sandbox_process(ports, ["--reset"]), urls["sandbox"],
            env={"SANDBOX_DATABASE_URL": f"sqlite:///{state / 'sandbox.db'}"}))
        actions = stack.enter_context(running(actions_process(ports, shared), urls["actions"]))
        rasa = stack.enter_context(running(rasa_process(ports, model, shared), urls["rasa"],
                                           timeout=240))
        print(f"Everything up in {time.monotonic() - started:.1f} s "
              f"(Rasa loads the model in most of that).")
        url = f"http://127.0.0.1:{ports.rasa}/webhooks/rest/webhook"
        print(f"\nReply latency over the REST channel, {args.n} messages each (ms):")
        print(f"  {'kind':45} {'p50':>7} {'p95':>7} {'max':>7}")
        for kind, (client_id, text) in KINDS.items():
            timings = sorted(measure(url, shared.webhook_secret, client_id, text, args.n))
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(f"  {kind:45} {statistics.median(timings):7.1f} {p95:7.1f} {timings[-1]:7.1f}")
        print("\nResident memory after the run (MB):")
        for name, process in (("rasa", rasa), ("action server", actions), ("sandbox", sandbox)):
            print(f"  {name:15} {rss_mb(process.pid):8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

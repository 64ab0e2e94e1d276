"""The load benchmark (`make bench`): the assistant through its gateway against bare Rasa 3.6.

For each N of simulated clients at once (each its own multi-turn conversation: scripts/loadgen.py)
it measures, in one run:

- bare Rasa: the same model and the same messages straight to Rasa's REST channel (no gateway);
- embedded: `make run`'s shape (SQLite, one process each) through the gateway's widget API;
- production: `make run-prod`'s shape (PostgreSQL, Redis, two Rasa servers, two action servers,
  two gateway workers) through the widget API;

and prints one table (messages/s, p50/p95/p99 time to the first reply, errors: lost or
duplicated replies, peak resident memory of each process, the ratios to bare Rasa at the same N)
and a second of where the CPU went (milliseconds of CPU per message, each process and PostgreSQL,
and the load generator's, whose simulated clients share the machine's cores),
writes it to results/bench.json and plots latency and throughput against N to results/bench.png.
Also measured: training with unchanged inputs and from scratch, and `make run` from start to the
first reply (environments and model present).

    .venv/bin/python scripts/bench.py                         # N = 1, 10, 50, 200, everything
    .venv/bin/python scripts/bench.py --clients 1,10 --skip training,make-run
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import texts  # noqa: E402
from bot.identity import issue_identity_token  # noqa: E402
from bot.processes import (  # noqa: E402
    RASA,
    Ports,
    SharedSecrets,
    actions_process,
    health_urls,
    rasa_process,
    sandbox_process,
)
from scripts.loadgen import (  # noqa: E402
    CONVERSATION,
    BareRasaClient,
    Client,
    GatewayClient,
    Run,
    drive,
)
from scripts.rasa_cpu import cpu_seconds as process_cpu_seconds  # noqa: E402
from scripts.train import model_path  # noqa: E402
from tests.helpers.gateway import WIDGET_SECRET, run_gateway  # noqa: E402
from tests.helpers.processes import free_port, running  # noqa: E402
from tests.helpers.production_stack import production_stack  # noqa: E402
from tests.helpers.stack import endpoints_with_tracker_db  # noqa: E402

RESULTS = ROOT / "results"
LOADGEN = "load generator"  # the bench's own process: the simulated clients
# A slow reply is not an error: the gateway waits as long as the load generator does.
BENCH_GATEWAY = {"RASA_TIMEOUT": "170", "RASA_TRACKER_WAIT": "10"}


@dataclass
class Row:
    profile: str
    clients: int
    run: Run
    peak_rss_mb: dict[str, float]
    cpu_ms_per_message: dict[str, float] = field(default_factory=dict)
    ratio_throughput: float = float("nan")
    ratio_p95: float = float("nan")

    def as_json(self) -> dict[str, Any]:
        return {"profile": self.profile, "clients": self.clients,
                "messages": len(self.run.turns), "seconds": round(self.run.seconds, 2),
                "messages_per_second": round(self.run.messages_per_second, 2),
                "p50_ms": round(self.run.percentile(50)), "p95_ms": round(self.run.percentile(95)),
                "p99_ms": round(self.run.percentile(99)), "errors": self.run.errors,
                "error_kinds": self.run.error_kinds(),
                "throughput_vs_bare_rasa": round(self.ratio_throughput, 2),
                "p95_vs_bare_rasa": round(self.ratio_p95, 2),
                "peak_rss_mb": {k: round(v) for k, v in self.peak_rss_mb.items()},
                "cpu_ms_per_message": {k: round(v, 1)
                                       for k, v in self.cpu_ms_per_message.items()}}


# --- memory -------------------------------------------------------------------------------------

def reset_peak(pids: dict[str, int]) -> None:
    """Linux: writing 5 to clear_refs resets a process's peak resident size (VmHWM)."""
    for pid in pids.values():
        with suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_rss(pids: dict[str, int]) -> dict[str, float]:
    peaks = {}
    for name, pid in pids.items():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks[name] = int(line.split()[1]) / 1024
    return peaks


# --- CPU ----------------------------------------------------------------------------------------

def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """Each process's CPU time so far (user + system, all its threads), and PostgreSQL's: the
    sum over every server process (a backend per connection), from /proc."""

    def of(pid: int) -> float | None:  # None: the process has ended
        with suppress(OSError):
            return process_cpu_seconds(pid)
        return None

    seconds = {name: value for name, pid in pids.items() if (value := of(pid)) is not None}
    postgres = [of(int(p.name)) for p in Path("/proc").iterdir() if p.name.isdigit()
                and _command(p) == "postgres"]
    seconds["postgres"] = sum(v for v in postgres if v is not None)
    return seconds


def _command(proc: Path) -> str:
    with suppress(OSError):
        return (proc / "comm").read_text().strip()
    return ""


def measured(profile: str, client: Client, clients: int, pids: dict[str, int],
             steps: int = len(CONVERSATION)) -> Row:
    reset_peak(pids)
    before, loadgen_before = cpu_seconds(pids), time.process_time()
    run = asyncio.run(drive(client, clients, steps))
    after, loadgen_after = cpu_seconds(pids), time.process_time()
    messages = max(len(run.turns), 1)
    cpu = {name: (after[name] - before[name]) * 1000 / messages for name in after
           if name in before}
    # The simulated clients share the machine's cores: their CPU too (not the server's).
    cpu[LOADGEN] = (loadgen_after - loadgen_before) * 1000 / messages
    row = Row(profile, clients, run, peak_rss(pids), cpu)
    print(f"  {profile:10} N={clients:<4} {run.messages_per_second:6.1f} msg/s  "
          f"p50 {run.percentile(50):7.0f} ms  p95 {run.percentile(95):7.0f} ms  "
          f"errors {run.errors} {run.error_kinds() or ''}  peak RSS "
          + ", ".join(f"{k} {v:.0f} MB" for k, v in sorted(row.peak_rss_mb.items()))
          + "  CPU ms/message " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(cpu.items())),
          flush=True)
    return row


# --- the stacks ---------------------------------------------------------------------------------

@contextmanager
def embedded_stack(model: Path, folder: Path) -> Iterator[tuple[str, str, SharedSecrets,
                                                               dict[str, int]]]:
    """`make run`'s processes on free ports (SQLite stores in `folder`): Rasa's URL, the
    gateway's, the secrets, and the pids."""
    ports = Ports(rasa=free_port(), actions=free_port(), sandbox=free_port(), gateway=free_port())
    shared = SharedSecrets.generate()
    urls = health_urls(ports)
    with ExitStack() as stack:
        sandbox = stack.enter_context(running(
            sandbox_process(ports, ["--reset"]), urls["sandbox"],
            env={"SANDBOX_DATABASE_URL": f"sqlite:///{folder / 'sandbox.db'}"}))
        actions = stack.enter_context(running(actions_process(ports, shared), urls["actions"]))
        rasa = stack.enter_context(running(
            rasa_process(ports, model, shared, endpoints=endpoints_with_tracker_db(folder)),
            urls["rasa"], timeout=400))
        gateway = stack.enter_context(run_gateway(folder, ports.rasa, shared,
                                                  sandbox_port=ports.sandbox,
                                                  env=BENCH_GATEWAY))
        pids = {"rasa": rasa.pid, "actions": actions.pid, "sandbox": sandbox.pid,
                "gateway": gateway.pid or 0}
        yield f"http://127.0.0.1:{ports.rasa}", gateway.url, shared, pids


# --- training and start-up ----------------------------------------------------------------------

def training_seconds(from_scratch: bool) -> float:
    """Unchanged inputs: scripts/train.py finds the model of these inputs. From scratch: Rasa
    trains the same inputs into a temporary folder with an empty training cache."""
    started = time.monotonic()
    if not from_scratch:
        subprocess.run([sys.executable, "scripts/train.py", "--rasa", str(RASA)], cwd=ROOT,
                       check=True, capture_output=True)
        return time.monotonic() - started
    with tempfile.TemporaryDirectory(prefix="bench-train-") as folder:
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1",
                   RASA_CACHE_DIRECTORY=str(Path(folder) / "cache"))
        subprocess.run([str(RASA), "train", "--config=config.yml", "--domain=domain.yml",
                        "--data=data", f"--out={folder}"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
    return time.monotonic() - started


def make_run_seconds(folder: Path) -> float:
    """`python -m bot.cli run` (what `make run` starts once the environments and the model are
    there) until a demo client's message has the assistant's reply through the gateway (not the
    apology the gateway gives while Rasa is still loading)."""
    ports = Ports(rasa=free_port(), actions=free_port(), sandbox=free_port(), gateway=free_port())
    env = dict(os.environ, RASA_PORT=str(ports.rasa), ACTIONS_PORT=str(ports.actions),
               SANDBOX_PORT=str(ports.sandbox), GATEWAY_PORT=str(ports.gateway),
               PLATFORM_API_URL=f"http://127.0.0.1:{ports.sandbox}",
               SANDBOX_DATABASE_URL=f"sqlite:///{folder / 'run-sandbox.db'}",
               GATEWAY_DATABASE_URL=f"sqlite:///{folder / 'run-gateway.db'}",
               WIDGET_TOKEN_SECRET=WIDGET_SECRET, DEMO_AGENT_PASSWORD="bench-password-123456",
               # it asks every half second until Rasa answers: out of the limits' way
               WIDGET_LIMIT_PER_IP="100000", WIDGET_LIMIT_PER_CONVERSATION="100000")
    gateway = f"http://127.0.0.1:{ports.gateway}"
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        while True:
            if process.poll() is not None or time.monotonic() - started > 600:
                raise RuntimeError("`bot.cli run` did not come up")
            try:
                if requests.get(f"{gateway}/widget/api/messages", timeout=2).status_code != 401:
                    time.sleep(0.5)
                    continue
                token = issue_identity_token("c-anna", WIDGET_SECRET)
                key = requests.post(f"{gateway}/widget/api/conversations",
                                    json={"identity_token": token}, timeout=5).json()[
                    "conversation_key"]
                auth = {"Authorization": f"Bearer {key}"}
                sent = requests.post(f"{gateway}/widget/api/messages", headers=auth,
                                     json={"text": "hello"}, timeout=5)
                if sent.status_code != 202:
                    time.sleep(0.5)
                    continue
                seq = sent.json()["message"]["seq"]
                while time.monotonic() - started < 600:
                    history = requests.get(f"{gateway}/widget/api/messages", headers=auth,
                                           params={"after": seq}, timeout=5).json()["messages"]
                    if any(m["text"] != texts.CANT_ANSWER for m in history):
                        return time.monotonic() - started
                    if history:  # the apology: Rasa isn't up yet; ask again
                        break
                    time.sleep(0.2)
                time.sleep(0.5)
            except requests.RequestException:
                time.sleep(0.5)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- report -------------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    cpu = next((line.partition(":")[2].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory / 1024 / 1024, 1),
            "system": f"{platform.system()} {platform.release()}",
            "python": platform.python_version()}


def add_ratios(rows: list[Row]) -> None:
    bare = {row.clients: row for row in rows if row.profile == "bare Rasa"}
    for row in rows:
        base = bare.get(row.clients)
        if base is not None and base.run.messages_per_second:
            row.ratio_throughput = row.run.messages_per_second / base.run.messages_per_second
            row.ratio_p95 = row.run.percentile(95) / base.run.percentile(95)


def table(rows: list[Row]) -> str:
    header = ("| profile | N | msg/s | p50 ms | p95 ms | p99 ms | errors | msg/s ÷ bare | "
              "p95 ÷ bare | peak RSS MB |")
    lines = [header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        data = row.as_json()
        rss = ", ".join(f"{name} {mb:.0f}" for name, mb in sorted(row.peak_rss_mb.items()))
        lines.append(f"| {row.profile} | {row.clients} | {data['messages_per_second']:.1f} | "
                     f"{data['p50_ms']} | {data['p95_ms']} | {data['p99_ms']} | "
                     f"{data['errors']}/{data['messages']} | {row.ratio_throughput:.2f} | "
                     f"{row.ratio_p95:.2f} | {rss} |")
    return "\n".join(lines)


def cpu_table(rows: list[Row]) -> str:
    """Where the CPU goes: milliseconds of CPU per message, each process (replicas summed)."""
    header = ("| profile | N | Rasa | gateway | actions | sandbox | PostgreSQL | all | "
              "load generator |")
    lines = [header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        kinds: dict[str, float] = {}
        for name, ms in row.cpu_ms_per_message.items():
            if name != LOADGEN:
                kind = name.split("-")[0]
                kinds[kind] = kinds.get(kind, 0.0) + ms
        cells = [f"{kinds.get(kind, 0.0):.0f}" for kind in
                 ("rasa", "gateway", "actions", "sandbox", "postgres")]
        loadgen = row.cpu_ms_per_message.get(LOADGEN)
        lines.append(f"| {row.profile} | {row.clients} | " + " | ".join(cells)
                     + f" | {sum(kinds.values()):.0f} | "
                     + ("–" if loadgen is None else f"{loadgen:.0f}") + " |")
    return "\n".join(lines)


def plot(rows: list[Row], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (latency, throughput) = plt.subplots(1, 2, figsize=(11, 4.2))
    for profile in dict.fromkeys(row.profile for row in rows):
        mine = [row for row in rows if row.profile == profile]
        n = [row.clients for row in mine]
        latency.plot(n, [row.run.percentile(95) / 1000 for row in mine], marker="o",
                     label=profile)
        throughput.plot(n, [row.run.messages_per_second for row in mine], marker="o",
                        label=profile)
    for axes, label in ((latency, "p95 time to first reply (s)"),
                        (throughput, "messages per second")):
        axes.set_xscale("log")
        axes.set_xlabel("clients at once (N)")
        axes.set_ylabel(label)
        axes.grid(True, alpha=0.3)
        axes.legend()
    figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def save(report: dict[str, Any], rows: list[Row]) -> None:
    """results/bench.json as it stands (after every row: a run cut short keeps what it had)."""
    add_ratios(rows)
    report["rows"] = [row.as_json() for row in rows]
    (RESULTS / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
    info = report["machine"]
    plot(rows, RESULTS / "bench.png",
         f"{info['cores']} cores ({info['cpu']}), load average before "
         f"{report['load_average_before'][0]:.1f}; {report['started']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,10,50,200",
                        help="the values of N, comma-separated (default 1,10,50,200)")
    parser.add_argument("--profiles", default="embedded,production",
                        help="embedded, production or both (bare Rasa always runs)")
    parser.add_argument("--turns", type=int, default=len(CONVERSATION),
                        help=f"the first TURNS messages of each conversation (default all "
                             f"{len(CONVERSATION)}; fewer for a quick check of a large N)")
    parser.add_argument("--skip", default="",
                        help="comma-separated: training, scratch (training from scratch only), "
                             "make-run: the slow extra figures")
    args = parser.parse_args()
    counts = [int(n) for n in args.clients.split(",")]
    profiles, skip = set(args.profiles.split(",")), set(filter(None, args.skip.split(",")))
    model = model_path()
    if not model.exists():
        print("No trained model for the current data: run `make train` first.")
        return 1
    RESULTS.mkdir(exist_ok=True)
    report: dict[str, Any] = {"started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                              "machine": machine(), "load_average_before": os.getloadavg()}
    rows: list[Row] = []
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        print("==> Starting the embedded profile (SQLite, one process each) and the production "
              "profile (PostgreSQL, Redis, two of each)", flush=True)
        with ExitStack() as stacks:
            rasa_url, gateway_url, shared, pids = stacks.enter_context(
                embedded_stack(model, folder))
            prod = (stacks.enter_context(production_stack(model, folder,
                                                          gateway_env=BENCH_GATEWAY))
                    if "production" in profiles else None)
            for n in counts:  # every profile at one N before the next N
                rows.append(measured("bare Rasa", BareRasaClient(rasa_url, shared.webhook_secret),
                                     n, {k: v for k, v in pids.items() if k != "gateway"},
                                     args.turns))
                save(report, rows)
                if prod is not None:
                    rows.append(measured("production",
                                         GatewayClient(prod.gateway.url, WIDGET_SECRET), n,
                                         {name: process.pid
                                          for name, process in prod.processes.items()},
                                         args.turns))
                    save(report, rows)
                if "embedded" in profiles:
                    rows.append(measured("embedded", GatewayClient(gateway_url, WIDGET_SECRET),
                                         n, pids, args.turns))
                    save(report, rows)
        if "training" not in skip:
            print("==> Training", flush=True)
            report["training_unchanged_inputs_s"] = round(training_seconds(False), 1)
            if "scratch" not in skip:
                report["training_from_scratch_s"] = round(training_seconds(True), 1)
        if "make-run" not in skip:
            print("==> `make run` to the first reply", flush=True)
            report["make_run_to_first_reply_s"] = round(make_run_seconds(folder), 1)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report["load_average_after"] = os.getloadavg()
    save(report, rows)
    info = report["machine"]
    title = (f"{info['cores']} cores ({info['cpu']}), load average before "
             f"{report['load_average_before'][0]:.1f}; {report['started']}")
    print()
    print(table(rows))
    print()
    print(cpu_table(rows))
    for key in ("training_unchanged_inputs_s", "training_from_scratch_s",
                "make_run_to_first_reply_s"):
        if key in report:
            print(f"{key}: {report[key]} s")
    print(f"machine: {title}")
    print("==> results/bench.json, results/bench.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Start our real processes (sandbox, action server, Rasa) for a test, and stop them after."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from bot.processes import ROOT, ProcessSpec


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_reservation() -> socket.socket:
    """A free port kept bound (SO_REUSEPORT, never listening) until the socket is closed, for
    servers that bind it with SO_REUSEPORT too (the gateway workers, GATEWAY_REUSE_PORT=1) and
    start long after it was chosen: meanwhile no outgoing connection gets it as its local port.
    The port is `.getsockname()[1]`."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def listening_sockets(port: int) -> int:
    """How many sockets listen on this TCP port (/proc/net/tcp and tcp6: state 0A), whoever's."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                    count += 1
    return count


def wait_until_listening(port: int, sockets: int, timeout: float) -> None:
    """Until `sockets` listen on the port: every SO_REUSEPORT worker, not only the first (whose
    health answers for all of them on the shared port)."""
    deadline = time.monotonic() + timeout
    while listening_sockets(port) < sockets:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{listening_sockets(port)} of {sockets} listening on port {port} "
                               f"after {timeout:.0f} s")
        time.sleep(0.1)


def wait_for(url: str, timeout: float, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not healthy after {timeout:.0f} s:\n{log.read_text()[-4000:]}")


# Each process started here: its output log (for a test that reads what a process printed).
LOGS: dict[int, Path] = {}


def output_of(process: subprocess.Popen) -> str:
    """What a process started here has printed so far (stdout and stderr)."""
    return LOGS[process.pid].read_text(errors="replace")


@contextlib.contextmanager
def running(spec: ProcessSpec, health_url: str, env: dict[str, str] | None = None,
            timeout: float = 60.0) -> Iterator[subprocess.Popen]:
    """Runs one process until the block ends; its output goes to a log printed on failure."""
    with running_together([(spec, health_url, env or {})], timeout) as [process]:
        yield process


@contextlib.contextmanager
def running_together(processes: list[tuple[ProcessSpec, str, dict[str, str]]],
                     timeout: float = 60.0) -> Iterator[list[subprocess.Popen]]:
    """Starts every (spec, health URL, extra env) at once, then waits until each is healthy;
    stops them all (SIGTERM, then SIGKILL after 10 s) when the block ends."""
    with contextlib.ExitStack() as stack:
        started: list[tuple[subprocess.Popen, str, Path]] = []
        try:
            for spec, health_url, env in processes:
                log = Path(tempfile.mkdtemp(prefix=f"{spec.name}-")) / "output.log"
                out = stack.enter_context(log.open("wb"))
                process = subprocess.Popen(
                    spec.argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                    env={**os.environ, **spec.env, **env},
                )
                started.append((process, health_url, log))
                LOGS[process.pid] = log
            for process, health_url, log in started:
                wait_for(health_url, timeout, process, log)
            yield [process for process, _, _ in started]
        finally:
            for process, _, _ in started:
                process.terminate()
            for process, _, _ in started:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

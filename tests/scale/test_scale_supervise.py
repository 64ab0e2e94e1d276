"""bot.supervise: a production process that dies is started again; honcho's stop (SIGTERM to the
process group, as on Ctrl-C) stops both the loop and its process.

The supervised command is a real child: a Python one-liner that logs each start to a file and
either ends at once (it "dies") or runs until it is stopped.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.processes import ROOT

DIES = "import sys; open(sys.argv[1], 'a').write('start\\n'); sys.exit(3)"
RUNS = ("import sys, time, os; open(sys.argv[1], 'a').write(f'{os.getpid()}\\n'); "
        "time.sleep(600)")


def _supervised(name: str, code: str, log: Path, first_pause: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.supervise", "--name", name, "--first-pause", first_pause,
         "--", sys.executable, "-c", code, str(log)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)  # its own process group, as honcho gives each process


def _until(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_process_that_dies_is_started_again_with_growing_pauses(tmp_path):
    log = tmp_path / "starts.log"
    loop = _supervised("rasa-1", DIES, log, "0.2")
    try:
        _until(lambda: log.exists() and len(log.read_text().splitlines()) >= 3)
    finally:
        os.killpg(loop.pid, signal.SIGTERM)
        output, _ = loop.communicate(timeout=10)
    assert "rasa-1 ended (exit code 3) after 0 s; starting it again in 0.2 s" in output
    assert "starting it again in 0.4 s" in output  # the pause doubles


def test_honcho_s_stop_ends_the_loop_and_its_process(tmp_path):
    log = tmp_path / "pid.log"
    loop = _supervised("gateway-1", RUNS, log, "0.2")
    _until(lambda: log.exists() and log.read_text().strip() != "")
    child = int(log.read_text().split()[0])
    os.killpg(loop.pid, signal.SIGTERM)
    loop.wait(timeout=10)  # it ends
    _until(lambda: not Path(f"/proc/{child}").exists()
           or "zombie" in Path(f"/proc/{child}/status").read_text(), timeout=10)
    assert len(log.read_text().split()) == 1  # not started again after the stop


def test_a_signal_to_the_loop_alone_is_passed_on(tmp_path):
    """SIGINT to the loop's pid only (a supervisor that signals the leader): the child gets it."""
    log = tmp_path / "pid.log"
    loop = _supervised("actions-1", RUNS, log, "0.2")
    _until(lambda: log.exists() and log.read_text().strip() != "")
    child = int(log.read_text().split()[0])
    loop.send_signal(signal.SIGINT)
    loop.wait(timeout=10)
    _until(lambda: not Path(f"/proc/{child}").exists()
           or "zombie" in Path(f"/proc/{child}/status").read_text(), timeout=10)
    assert len(log.read_text().split()) == 1

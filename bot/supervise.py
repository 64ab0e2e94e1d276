"""Keeps one process of `make run-prod` running: started again when it dies.

    python -m bot.supervise --name rasa-1 -- <command> [arguments...]

honcho, which starts the processes of `make run` and `make run-prod`, stops them all when any one
ends. In the production profile one process dying must not stop the rest: a dead Rasa replica's
conversations move to the other replica, and a dead action server's replica answers with the
honest apology until it is back. So each production process runs under this loop, which starts it
again after a pause that doubles from 1 s up to 30 s (back to 1 s once it has run for a minute),
and on SIGINT or SIGTERM (honcho's Ctrl-C) passes the signal on and stops. Imports nothing of ours.
"""
from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
import time
from types import FrameType

HEALTHY_AFTER = 60.0  # seconds of running after which the next pause starts again from the first


def supervise(name: str, argv: list[str], first_pause: float = 1.0,
              longest_pause: float = 30.0) -> int:
    """Runs `argv` until SIGINT or SIGTERM, starting it again whenever it ends; its last exit
    code."""
    stopping = threading.Event()
    child: subprocess.Popen[bytes] | None = None

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopping.set()
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    pause = first_pause
    while True:
        started = time.monotonic()
        child = subprocess.Popen(argv)
        code = child.wait()
        if stopping.is_set():
            return code
        ran = time.monotonic() - started
        if ran >= HEALTHY_AFTER:
            pause = first_pause
        print(f"{name} ended (exit code {code}) after {ran:.0f} s; starting it again in "
              f"{pause:g} s", flush=True)
        if stopping.wait(pause):
            return code
        pause = min(pause * 2, longest_pause)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True, help="the process's name, for the log")
    parser.add_argument("--first-pause", type=float, default=1.0,
                        help="seconds before the first restart (doubling up to 30)")
    parser.add_argument("command", nargs=argparse.REMAINDER,
                        help="-- then the command and its arguments")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given (put it after --)")
    return supervise(args.name, command, first_pause=args.first_pause)


if __name__ == "__main__":
    sys.exit(main())

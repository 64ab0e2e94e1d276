"""`python -m sandbox`: starts from the environment, seeds once, re-seeds with --reset, and logs no
personal data."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
KEY = "main-test-key-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sandbox_env(database: Path, port: int, api_key: str = KEY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANDBOX_", "PLATFORM_"))}
    env.update(SANDBOX_DATABASE_URL=f"sqlite:///{database}", PLATFORM_API_KEY=api_key,
               SANDBOX_HOST="127.0.0.1", SANDBOX_PORT=str(port))
    return env


@contextmanager
def serving(database: Path, *args: str) -> Iterator[tuple[str, list[str]]]:
    """Run `python -m sandbox *args`; yields (base URL, the log lines, filled in when it stops)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", *args], cwd=ROOT, env=sandbox_env(database, port),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base_url, log = f"http://127.0.0.1:{port}", []
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                if requests.get(f"{base_url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "python -m sandbox did not start in 20 s"
            time.sleep(0.1)
        yield base_url, log
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output = process.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0]
        log.extend(output.splitlines())


def session() -> requests.Session:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {KEY}"
    return http


def book_first_maya_slot(base_url: str) -> str:
    http = session()
    slots = http.get(f"{base_url}/api/v1/professionals/p-maya/availability", timeout=5)
    slot = slots.json()["slots"][0]
    body = {"professional_id": "p-maya", "service_id": "s-maya-coaching", "start": slot["start"]}
    response = http.post(f"{base_url}/api/v1/clients/c-chloe/bookings", json=body,
                         headers={"Idempotency-Key": "main-test-0001"}, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def chloe_upcoming(base_url: str) -> list[str]:
    response = session().get(f"{base_url}/api/v1/clients/c-chloe/bookings", timeout=5)
    return [b["id"] for b in response.json()["bookings"]]


def test_it_seeds_an_empty_database_keeps_data_and_reseeds_with_reset(tmp_path):
    database = tmp_path / "var" / "sandbox.db"  # the folder does not exist yet
    with serving(database) as (base_url, _):
        credits = session().get(f"{base_url}/api/v1/clients/c-ben/credits", timeout=5).json()
        assert credits["remaining"] == 0
        booking_id = book_first_maya_slot(base_url)
    with serving(database) as (base_url, _):
        assert chloe_upcoming(base_url) == [booking_id]
    with serving(database, "--reset") as (base_url, _):
        assert chloe_upcoming(base_url) == []


def test_reset_only_reseeds_and_exits_without_serving(tmp_path):
    database = tmp_path / "sandbox.db"
    with serving(database) as (base_url, _):
        book_first_maya_slot(base_url)
    result = subprocess.run([sys.executable, "-m", "sandbox", "--reset-only"], cwd=ROOT,
                            env=sandbox_env(database, free_port()), capture_output=True, text=True,
                            timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    with serving(database) as (base_url, _):
        assert chloe_upcoming(base_url) == []


def test_the_log_has_requests_but_no_personal_data(tmp_path):
    with serving(tmp_path / "sandbox.db") as (base_url, log):
        http = session()
        http.get(f"{base_url}/api/v1/clients/c-anna", timeout=5)
        http.get(f"{base_url}/api/v1/outbox", params={"to": "anna@northwind.example"}, timeout=5)
        resent = http.post(f"{base_url}/api/v1/clients/c-ben/invoices/resend", timeout=5,
                           headers={"Idempotency-Key": "main-test-resend-0001"})
        assert resent.status_code == 200, resent.text  # an e-mail was written, not logged
        book_first_maya_slot(base_url)
    text = "\n".join(log)
    assert "GET /api/v1/clients/c-anna 200" in text
    assert "@" not in text
    for name in ("Anna", "Jónsdóttir", "Ben Carter", "Chloe", "Maya Patel"):
        assert name not in text


def test_a_placeholder_api_key_stops_the_start_with_the_fix(tmp_path):
    env = sandbox_env(tmp_path / "sandbox.db", free_port(), api_key="change-me")
    result = subprocess.run([sys.executable, "-m", "sandbox"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert "PLATFORM_API_KEY" in result.stderr

"""The sandbox's settings: each malformed value names its variable, and `python -m sandbox` refuses
to start on a database it can't use, in one line (exit code 2, no traceback, no password)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.settings import SettingsError, load_sandbox_settings

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_defaults_are_the_local_demo():
    settings = load_sandbox_settings({})
    assert settings.database_url == "sqlite:///var/sandbox.db"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.gateway_public_url == "http://127.0.0.1:8080"


@pytest.mark.parametrize("env, name", [
    ({"SANDBOX_DATABASE_URL": "var/sandbox.db"}, "SANDBOX_DATABASE_URL"),
    ({"SANDBOX_DATABASE_URL": "postgres://sb@db/sandbox"}, "SANDBOX_DATABASE_URL"),
    ({"SANDBOX_PORT": "eighty"}, "SANDBOX_PORT"),
    ({"SANDBOX_PORT": "70000"}, "SANDBOX_PORT"),
    ({"GATEWAY_PORT": "0"}, "GATEWAY_PORT"),
    ({"GATEWAY_PUBLIC_URL": "127.0.0.1:8080"}, "GATEWAY_PUBLIC_URL"),
    ({"GATEWAY_PUBLIC_URL": "http://"}, "GATEWAY_PUBLIC_URL"),
    ({"PLATFORM_API_KEY": "change-me"}, "PLATFORM_API_KEY"),
])
def test_a_malformed_value_names_its_variable(env, name):
    with pytest.raises(SettingsError, match=name):
        load_sandbox_settings(env)


def test_a_malformed_database_url_is_never_echoed():
    with pytest.raises(SettingsError) as error:
        load_sandbox_settings({"SANDBOX_DATABASE_URL": "postgresql+psycopg://sb:hunter2@db:x/s"})
    assert "hunter2" not in str(error.value)


def start(database_url: str) -> subprocess.CompletedProcess[str]:
    """`python -m sandbox` with `database_url`; a good one would serve (20 s cap)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANDBOX_", "PLATFORM_"))}
    env.update(SANDBOX_DATABASE_URL=database_url, SANDBOX_PORT=str(free_port()),
               SANDBOX_HOST="127.0.0.1", PLATFORM_API_KEY="settings-test-key-0123")
    return subprocess.run([sys.executable, "-m", "sandbox"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=20, check=False)


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The line a refused start printed last (exit code 2, no traceback)."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("sandbox: ")] == lines[-1:], result.stderr
    return lines[-1]


def test_it_refuses_a_database_it_cannot_reach_without_showing_the_password():
    url = f"postgresql+psycopg://sb:hunter2-pw@127.0.0.1:{free_port()}/sandbox"
    line = refused(start(url))
    assert "can't be reached" in line
    assert "SANDBOX_DATABASE_URL" in line
    assert "sb:***@127.0.0.1" in line
    assert "hunter2-pw" not in line


def test_it_refuses_a_database_it_cannot_open(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    line = refused(start(f"sqlite:///{tmp_path / 'a-file' / 'sandbox.db'}"))
    assert "can't be opened" in line
    assert "SANDBOX_DATABASE_URL" in line


def test_it_refuses_a_malformed_database_url():
    line = refused(start("postgresql+psycopg://sb:hunter2-pw@db:port/sandbox"))
    assert line.startswith("sandbox: SANDBOX_DATABASE_URL is not a database URL")
    assert "hunter2-pw" not in line

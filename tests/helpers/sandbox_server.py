"""Run the real sandbox (platform API stand-in) over HTTP for a test.

    with run_sandbox("sqlite:///" + str(tmp_path / "s.db"), "test-key") as base_url:
        requests.get(f"{base_url}/api/v1/health")

uvicorn serves in a background thread on a free loopback port; the database is (re-)seeded with the
demo hub when the server starts. Pass `now` (an aware datetime) to freeze the sandbox's clock.
"""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import requests
import uvicorn

from sandbox.api import create_app
from sandbox.settings import load_sandbox_settings

START_TIMEOUT = 15.0


@contextmanager
def run_sandbox(database_url: str, api_key: str, now: datetime | None = None,
                widget_token_secret: str = "", gateway_url: str = "",
                telegram_bot_username: str = "") -> Iterator[str]:
    """Serve the sandbox on a free port; yields its base URL (`http://127.0.0.1:<port>`).

    `widget_token_secret` and `gateway_url` configure the demo dashboard's widget (unset: the
    signed-in dashboards answer 503, and the script tag points at the default gateway address);
    `telegram_bot_username` the dashboard's Telegram deep link for linking.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings = load_sandbox_settings({
        "SANDBOX_DATABASE_URL": database_url, "PLATFORM_API_KEY": api_key,
        "SANDBOX_HOST": "127.0.0.1", "SANDBOX_PORT": str(port),
        **({"WIDGET_TOKEN_SECRET": widget_token_secret} if widget_token_secret else {}),
        **({"GATEWAY_PUBLIC_URL": gateway_url} if gateway_url else {}),
        **({"TELEGRAM_BOT_USERNAME": telegram_bot_username} if telegram_bot_username else {}),
    })
    config = uvicorn.Config(create_app(settings, now=now), log_config=None, log_level="warning",
                            access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name=f"sandbox-{port}")
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_started(server, thread)
        reset = requests.post(f"{base_url}/api/v1/admin/reset", timeout=10,
                              headers={"Authorization": f"Bearer {api_key}"})
        reset.raise_for_status()
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the sandbox server stopped during start-up (see the log above)")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the sandbox server did not start within {START_TIMEOUT:.0f}s")
        time.sleep(0.02)

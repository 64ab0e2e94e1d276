"""A proxy in front of an HTTP API that can be made slow: every request is passed on at once
(the API does the work), its answer held back `delay` seconds (the caller waits for it).

    with slow_proxy() as proxy:
        proxy.upstream = "http://127.0.0.1:8000"
        proxy.delay = 10.0          # answers now come 10 s late
        proxy.url                   # what the callers are given
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import requests

from tests.helpers.fake_server import serving

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length",
              "content-encoding"}


@dataclass
class SlowProxy:
    port: int
    upstream: str = ""
    delay: float = 0.0
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _handler(proxy: SlowProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _pass_on(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP
                       and k.lower() != "host"}
            proxy.requests.append((self.command, self.path))
            delay = proxy.delay
            try:
                answer = requests.request(self.command, proxy.upstream + self.path, data=body,
                                          headers=headers, timeout=60, allow_redirects=False)
                status, content, passed = answer.status_code, answer.content, answer.headers
            except requests.ConnectionError:  # the API isn't up (yet): as a proxy says it
                status, content, passed = 502, b"", {}
            time.sleep(delay)
            try:
                self.send_response(status)
                for key, value in passed.items():
                    if key.lower() not in HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the caller gave up waiting

        def do_GET(self) -> None:
            self._pass_on()

        def do_POST(self) -> None:
            self._pass_on()

        def do_PATCH(self) -> None:
            self._pass_on()

        def do_DELETE(self) -> None:
            self._pass_on()

    return Handler


@contextmanager
def slow_proxy() -> Iterator[SlowProxy]:
    with serving(SlowProxy, _handler, "slow-proxy") as proxy:
        yield proxy

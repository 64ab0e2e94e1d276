"""A stand-in Rasa server speaking the two calls the gateway makes, and recording them.

    with run_fake_rasa() as rasa:
        rasa.replies["/request_human"] = [{"text": "..."}, {"custom": {"handoff": {...}}}]
        ... rasa.messages (every webhook body), rasa.resumes (conversation ids resumed)

- `POST /webhooks/rest/webhook`: answers `replies[message]`, else `[{"text": "echo: <message>"}]`.
- `POST /conversations/<id>/tracker/events?token=`: records a `resume` in the event (or list)
  (401 for a wrong token).
- `GET /status`: 200.
`delay` (seconds) slows every webhook answer.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

TOKEN = "fake-rasa-token-0123456789"


@dataclass
class FakeRasa:
    port: int
    token: str = TOKEN
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    resumes: list[str] = field(default_factory=list)
    delay: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def messages_of(self, conversation_id: str) -> list[str]:
        return [m["message"] for m in self.messages if m["sender"] == conversation_id]


def _handler(fake: FakeRasa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._json(200, {"version": "fake"})

        def do_POST(self) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if url.path == "/webhooks/rest/webhook":
                fake.messages.append(body)
                if fake.delay:
                    time.sleep(fake.delay)
                message = body.get("message")
                self._json(200, fake.replies.get(message, [{"text": f"echo: {message}"}]))
                return
            parts = url.path.split("/")
            if (len(parts) == 5 and parts[1] == "conversations"
                    and parts[3:] == ["tracker", "events"]):
                if parse_qs(url.query).get("token") != [fake.token]:
                    self._json(401, {"status": "failure"})
                    return
                events = body if isinstance(body, list) else [body]
                if any(event.get("event") == "resume" for event in events):
                    fake.resumes.append(unquote(parts[2]))
                self._json(200, {"sender_id": unquote(parts[2]), "events": []})
                return
            self._json(404, {})

    return Handler


@contextmanager
def run_fake_rasa() -> Iterator[FakeRasa]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)  # type: ignore[arg-type]
    fake = FakeRasa(port=server.server_address[1])
    server.RequestHandlerClass = _handler(fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="fake-rasa")
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()

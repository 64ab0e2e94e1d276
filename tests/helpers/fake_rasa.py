"""A stand-in Rasa server speaking the two calls the gateway makes, and recording them.

    with run_fake_rasa() as rasa:
        rasa.replies["/request_human"] = [{"text": "..."}, {"custom": {"handoff": {...}}}]
        ... rasa.messages (every webhook body), rasa.resumes (conversation ids resumed)

It checks what the real one checks (rasa_addons/redacting_rest.py, `rasa run --jwt-secret`):

- `POST /webhooks/rest/webhook` with `X-Webhook-Secret: <shared.webhook_secret>` (else 401,
  counted in `refused`): answers `replies[message]`, else `[{"text": "echo: <message>"}]`.
- `POST /conversations/<id>/tracker/events` with `Authorization: Bearer <a JWT signed with
  shared.rasa_token, role admin, not expired>` (else 401, counted in `refused`): records a
  `resume` in the event (or list). A `?token=` in the URL is recorded in `tokens_in_urls`.
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

import jwt

from bot.processes import SharedSecrets
from rasa_addons.internal_auth import WEBHOOK_SECRET_HEADER, bearer_token


@dataclass
class FakeRasa:
    port: int
    shared: SharedSecrets = field(default_factory=SharedSecrets.generate)
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    resumes: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # paths called without the right secret
    tokens_in_urls: list[str] = field(default_factory=list)
    delay: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def messages_of(self, conversation_id: str) -> list[str]:
        return [m["message"] for m in self.messages if m["sender"] == conversation_id]

    def api_token_valid(self, authorization: str | None) -> bool:
        token = bearer_token(authorization)
        if token is None:
            return False
        try:
            claims = jwt.decode(token, self.shared.rasa_token, algorithms=["HS256"],
                                options={"require": ["exp"]})
        except jwt.PyJWTError:
            return False
        return claims.get("user", {}).get("role") == "admin"


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
            if "token" in parse_qs(url.query):
                fake.tokens_in_urls.append(url.path)
            if url.path == "/webhooks/rest/webhook":
                if self.headers.get(WEBHOOK_SECRET_HEADER) != fake.shared.webhook_secret:
                    fake.refused.append(url.path)
                    self._json(401, {"error": "not the gateway"})
                    return
                fake.messages.append(body)
                if fake.delay:
                    time.sleep(fake.delay)
                message = body.get("message")
                self._json(200, fake.replies.get(message, [{"text": f"echo: {message}"}]))
                return
            parts = url.path.split("/")
            if (len(parts) == 5 and parts[1] == "conversations"
                    and parts[3:] == ["tracker", "events"]):
                if not fake.api_token_valid(self.headers.get("Authorization")):
                    fake.refused.append(url.path)
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

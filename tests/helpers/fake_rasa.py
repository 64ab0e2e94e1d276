"""A stand-in Rasa server speaking the calls the gateway makes, keeping a tracker per
conversation the way Rasa does, and recording every call.

    with run_fake_rasa() as rasa:
        rasa.replies["/request_human"] = [{"text": "..."}, {"custom": {"handoff": {...}}}]
        ... rasa.messages (every webhook body), rasa.resumes (conversation ids resumed),
            rasa.tracker_reads (conversation ids whose tracker was read), rasa.tracker(id)

- `POST /webhooks/rest/webhook`: after `delays[message]` (else `delay`) seconds, the turn is run
  and saved in the conversation's tracker, then answered, as Rasa does (a turn whose caller gave up
  waiting is still run and saved). Answers `replies[message]`, else `[{"text": "echo: <message>"}]`;
  a reply with a `{"custom": {"handoff": ...}}` pauses the tracker as the handoff action does
  (`ConversationPaused`). While the tracker is paused, a message is logged and answered `[]`.
- `POST /conversations/<id>/tracker/events`: appends the event (or list); `resume` and
  `pause` change the tracker's state; a `resume` is recorded.
- `GET /conversations/<id>/tracker`: `{"sender_id", "paused", "events", "latest_message", ...}`
  like Rasa's HTTP API; `?include_events=NONE`: `events` null (`tracker_status` other than 200
  makes it fail).
- Its webhook answer says the conversation's state without events in the header `X-Turn-State`
  (our channel's rasa_addons/turn_state.py), unless `says_turn_state` is False (a Rasa without
  it: the gateway then reads the tracker for its report).

It checks what the real one checks (rasa_addons/redacting_rest.py, `rasa run --jwt-secret`): the
webhook needs `X-Webhook-Secret: <shared.webhook_secret>`, the HTTP API `Authorization: Bearer <a
JWT signed with shared.rasa_token, role admin, not expired>`; else 401, counted in `refused`. A
`?token=` in a URL is recorded in `tokens_in_urls`.
- `GET /status` (and any other GET): 200.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import ParseResult, parse_qs, unquote, urlparse

import jwt

from bot.core.rasa_client import TURN_STATE_HEADER
from bot.processes import SharedSecrets
from rasa_addons.internal_auth import WEBHOOK_SECRET_HEADER, bearer_token
from tests.helpers.fake_server import serving

SESSION_START = [{"event": "action", "name": "action_session_start"},
                 {"event": "session_started"},
                 {"event": "action", "name": "action_listen"}]


@dataclass
class Tracker:
    events: list[dict[str, Any]] = field(default_factory=lambda: [dict(e) for e in SESSION_START])
    paused: bool = False


@dataclass
class FakeRasa:
    port: int
    shared: SharedSecrets = field(default_factory=SharedSecrets.generate)
    refused: list[str] = field(default_factory=list)  # paths called without the right secret
    tokens_in_urls: list[str] = field(default_factory=list)
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    resumes: list[str] = field(default_factory=list)
    tracker_reads: list[str] = field(default_factory=list)
    delay: float = 0.0
    delays: dict[str, float] = field(default_factory=dict)
    tracker_status: int = 200
    # What the NLU made of a message (its text → Rasa's `parse_data`), kept on the tracker's user
    # event as Rasa does: the gateway reads the intent and help topic there for its report.
    understood: dict[str, dict[str, Any]] = field(default_factory=dict)
    says_turn_state: bool = True
    trackers: dict[str, Tracker] = field(default_factory=dict)
    running: int = 0  # turns being run right now
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset_answers(self) -> None:
        """Rasa's default answers again (an echo), no delay, a readable tracker: what every test
        of a module sharing this fake starts with."""
        self.replies.clear()
        self.delay = 0.0
        self.delays.clear()
        self.tracker_status = 200
        self.understood.clear()
        self.says_turn_state = True

    def messages_of(self, conversation_id: str) -> list[str]:
        """What the gateway sent for this conversation, in order (each call, repeats too)."""
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
        return bool(claims.get("user", {}).get("role") == "admin")

    def tracker(self, conversation_id: str, with_events: bool = True) -> dict[str, Any]:
        """The conversation's tracker as `GET /conversations/<id>/tracker` gives it; without
        events (`include_events=NONE`), `latest_message` is the latest user message's parse
        data with its text and metadata, as Rasa gives it."""
        with self.lock:
            tracker = self.trackers.get(conversation_id) or Tracker(events=[])
            events = [dict(e) for e in tracker.events]
            users = [e for e in events if e["event"] == "user"]
            latest = ({**(users[-1].get("parse_data") or {}), "text": users[-1]["text"],
                       "metadata": users[-1].get("metadata")} if users else None)
            return {"sender_id": conversation_id, "paused": tracker.paused,
                    "events": events if with_events else None,
                    "latest_message": latest, "slots": {}}

    def handled(self, conversation_id: str) -> list[str]:
        """The user messages in the conversation's tracker: the turns Rasa ran, in order."""
        return [e["text"] for e in self.tracker(conversation_id)["events"]
                if e["event"] == "user"]

    def pause(self, conversation_id: str) -> None:
        """Pause the conversation as something other than the gateway would (no handoff)."""
        with self.lock:
            tracker = self.trackers.setdefault(conversation_id, Tracker())
            tracker.events.append({"event": "pause"})
            tracker.paused = True

    def wait_until_idle(self, timeout: float = 30.0) -> None:
        """Until every turn that has arrived has been run and saved."""
        deadline = time.monotonic() + timeout
        while self.running:
            assert time.monotonic() < deadline, "the fake Rasa is still running turns"
            time.sleep(0.05)

    def run_turn(self, conversation_id: str, message: str,
                 metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Log the user message and the bot's replies in the tracker; what the webhook answers."""
        with self.lock:
            tracker = self.trackers.setdefault(conversation_id, Tracker())
            tracker.events.append({"event": "user", "text": message, "metadata": metadata,
                                   "timestamp": time.time(),
                                   "parse_data": self.understood.get(message, {})})
            if tracker.paused:
                return []
            answer = self.replies.get(message, [{"text": f"echo: {message}"}])
            for reply in answer:
                data = {key: reply.get(key) for key in ("buttons", "custom", "image")}
                tracker.events.append({"event": "bot", "text": reply.get("text"), "data": data,
                                       "metadata": {}, "timestamp": time.time()})
            if any(isinstance(r.get("custom"), dict) and "handoff" in r["custom"]
                   for r in answer):
                tracker.events.append({"event": "pause"})
                tracker.paused = True
            else:
                tracker.events.append({"event": "action", "name": "action_listen"})
            return answer

    def append_events(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        with self.lock:
            tracker = self.trackers.setdefault(conversation_id, Tracker())
            for event in events:
                tracker.events.append(dict(event))
                if event.get("event") == "resume":
                    tracker.paused = False
                    self.resumes.append(conversation_id)
                elif event.get("event") == "pause":
                    tracker.paused = True


def help_topic(key: str) -> dict[str, Any]:
    """Rasa's `parse_data` of a message answered with the help topic `key` (`faq/adding_card`)."""
    return {"intent": {"name": "faq", "confidence": 0.97},
            "response_selector": {"faq": {"response": {"intent_response_key": key}}}}


def intent(name: str) -> dict[str, Any]:
    return {"intent": {"name": name, "confidence": 0.95}}


def _conversation_path(path: str, *tail: str) -> str | None:
    """The conversation id of `/conversations/<id>/<tail...>`, else None."""
    parts = path.split("/")
    if len(parts) == 3 + len(tail) and parts[1] == "conversations" and tuple(parts[3:]) == tail:
        return unquote(parts[2])
    return None


def _handler(fake: FakeRasa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the caller gave up waiting: the turn still happened

        def _token_ok(self, url: ParseResult) -> bool:
            if "token" in parse_qs(url.query):
                fake.tokens_in_urls.append(url.path)
            if fake.api_token_valid(self.headers.get("Authorization")):
                return True
            fake.refused.append(url.path)
            self._json(401, {"status": "failure", "reason": "NotAuthenticated"})
            return False

        def do_GET(self) -> None:
            url = urlparse(self.path)
            conversation_id = _conversation_path(url.path, "tracker")
            if conversation_id is None:
                self._json(200, {"version": "fake"})
                return
            if not self._token_ok(url):
                return
            fake.tracker_reads.append(conversation_id)
            if fake.tracker_status != 200:
                self._json(fake.tracker_status, {"status": "failure"})
                return
            without_events = parse_qs(url.query).get("include_events") == ["NONE"]
            self._json(200, fake.tracker(conversation_id, with_events=not without_events))

        def do_POST(self) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if url.path == "/webhooks/rest/webhook":
                if self.headers.get(WEBHOOK_SECRET_HEADER) != fake.shared.webhook_secret:
                    fake.refused.append(url.path)
                    self._json(401, {"error": "not the gateway"})
                    return
                self._webhook(body)
                return
            conversation_id = _conversation_path(url.path, "tracker", "events")
            if conversation_id is not None:
                if not self._token_ok(url):
                    return
                fake.append_events(conversation_id, body if isinstance(body, list) else [body])
                self._json(200, fake.tracker(conversation_id))
                return
            self._json(404, {})

        def _webhook(self, body: dict[str, Any]) -> None:
            fake.messages.append(body)
            with fake.lock:
                fake.running += 1
            try:
                message = body.get("message")
                delay = fake.delays.get(message, fake.delay)
                if delay:
                    time.sleep(delay)
                answer = fake.run_turn(body.get("sender"), message, body.get("metadata") or {})
            finally:
                with fake.lock:
                    fake.running -= 1
            state = (json.dumps(fake.tracker(body.get("sender"), with_events=False))
                     if fake.says_turn_state else None)
            self._json(200, answer, {TURN_STATE_HEADER: state} if state else None)

    return Handler


@contextmanager
def run_fake_rasa() -> Iterator[FakeRasa]:
    with serving(FakeRasa, _handler, "fake-rasa") as fake:
        yield fake

"""A stand-in for Slack's Web API on a free port (slack_sdk's `base_url` points here), recording
every method called, and a signer for the requests Slack would send the gateway.

    with run_fake_slack() as slack:
        env = slack.gateway_env()          # SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL
        ... slack.calls (every call: method and arguments), slack.wait_for("chat.postMessage")
        slack.fail_next["chat.postMessage"] = [429, 500]   # the next calls answered so

Methods (https://api.slack.com/methods), each checking `Authorization: Bearer <the bot token>`
(else `invalid_auth`, recorded in `refused`): `auth.test` (the app's bot user `UBOT`, bot `BBOT`,
team `T1`), `chat.postMessage` (a new `ts`), `chat.postEphemeral` (`message_ts`),
`conversations.open` (a `D` channel for the users), `chat.update`, `apps.connections.open` (with
the app-level token: `socket_url`, tests/helpers/fake_slack_socket.py); any other method
`{"ok": true}`.
A queued failure is a status code (429 with `Retry-After: 0`, 5xx) or a Slack error code.

`SlackEvents` builds and signs what Slack posts to the gateway (events, block actions) with
slack_sdk's own `SignatureVerifier`, and can forge or age the signature.
"""
from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from slack_sdk.signature import SignatureVerifier

from tests.helpers.processes import free_port

BOT_TOKEN = "xoxb-test-0000-wellbeing-hub-bot"
SIGNING_SECRET = "slack-test-signing-secret-0123456789abcdef"
TEAM = "T1"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
APP_TOKEN = "xapp-1-test-socket-mode"


@dataclass
class SlackCallRecord:
    method: str
    arguments: dict[str, Any]
    result: dict[str, Any] = field(default_factory=dict)  # what the fake answered


@dataclass
class FakeSlack:
    port: int
    calls: list[SlackCallRecord] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    fail_next: dict[str, list[int | str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    socket_url: str | None = None  # what apps.connections.open answers (Socket Mode)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def gateway_env(self, **extra: str) -> dict[str, str]:
        return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": self.api_url, **extra}

    def next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def called(self, method: str | None = None) -> list[SlackCallRecord]:
        with self.lock:
            return [c for c in self.calls if method is None or c.method == method]

    def posts(self) -> list[SlackCallRecord]:
        """Every message sent (posted or ephemeral), in order."""
        return [c for c in self.called() if c.method in ("chat.postMessage", "chat.postEphemeral")]

    def wait_for(self, predicate: Callable[[SlackCallRecord], bool], after: int = 0,
                 timeout: float = 30.0) -> SlackCallRecord:
        """The first message sent (after the first `after` sends) that matches."""
        return self._first(lambda: self.posts()[after:], predicate, timeout)

    def wait_for_call(self, method: str, predicate: Callable[[SlackCallRecord], bool],
                      timeout: float = 30.0) -> SlackCallRecord:
        """The first call of `method` that matches (any method, not only messages sent)."""
        return self._first(lambda: self.called(method), predicate, timeout)

    def _first(self, calls: Callable[[], list[SlackCallRecord]],
               predicate: Callable[[SlackCallRecord], bool], timeout: float) -> SlackCallRecord:
        deadline = time.monotonic() + timeout
        while True:
            for call in calls():
                if predicate(call):
                    return call
            if time.monotonic() > deadline:
                seen = [(c.method, str(c.arguments.get("text"))[:80]) for c in self.called()]
                raise AssertionError(f"no matching Slack call in {timeout:.0f} s: {seen}")
            time.sleep(0.1)

    def wait_for_text(self, containing: str, after: int = 0,
                      timeout: float = 30.0) -> SlackCallRecord:
        return self.wait_for(lambda c: containing.lower() in str(c.arguments.get("text")).lower(),
                             after, timeout)

    def settle(self, quiet: float = 1.0) -> list[SlackCallRecord]:
        """Every send once none has come for `quiet` seconds."""
        seen, since = -1, time.monotonic()
        while time.monotonic() - since < quiet:
            count = len(self.posts())
            if count != seen:
                seen, since = count, time.monotonic()
            time.sleep(0.05)
        return self.posts()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return None

    def do_POST(self) -> None:
        slack = self.server.slack
        method = urlparse(self.path).path.removeprefix("/api/")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        if "json" in (self.headers.get("Content-Type") or ""):
            arguments = json.loads(raw or "{}")
        else:
            arguments = {k: v[0] for k, v in parse_qs(raw).items()}
        token = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if self.headers.get("Authorization") != f"Bearer {token}":
            slack.refused.append(method)
            self._answer({"ok": False, "error": "invalid_auth"})
            return
        record = SlackCallRecord(method, arguments)
        with slack.lock:
            queued = slack.fail_next.get(method) or []
            failure = queued.pop(0) if queued else None
            if failure is None:  # recorded with its answer, so a test reading it sees both
                record.result = _result(slack, method, arguments)
            slack.calls.append(record)
        if isinstance(failure, int):
            headers = {"Retry-After": "0"} if failure == 429 else {}
            self._answer({"ok": False, "error": "ratelimited" if failure == 429
                          else "internal_error"}, failure, headers)
        elif isinstance(failure, str):
            self._answer({"ok": False, "error": failure})
        else:
            self._answer(record.result)

    def _answer(self, body: dict[str, Any], status: int = 200,
                headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _result(slack: FakeSlack, method: str, arguments: dict[str, Any]) -> dict[str, Any]:
    if method == "auth.test":
        return {"ok": True, "url": "https://hub.slack.example/", "team": "Hub", "user": "wellbeing",
                "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID}
    if method == "chat.postMessage":
        ts = slack.next_ts()
        return {"ok": True, "channel": arguments.get("channel"), "ts": ts,
                "message": {"text": arguments.get("text"), "ts": ts, "bot_id": BOT_ID}}
    if method == "chat.postEphemeral":
        return {"ok": True, "message_ts": slack.next_ts()}
    if method == "apps.connections.open":
        return ({"ok": True, "url": slack.socket_url} if slack.socket_url
                else {"ok": False, "error": "invalid_auth"})
    if method == "conversations.open":
        return {"ok": True, "channel": {"id": "D" + str(arguments.get("users", "X"))[1:]}}
    return {"ok": True}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    slack: FakeSlack


@contextmanager
def run_fake_slack() -> Iterator[FakeSlack]:
    slack = FakeSlack(free_port())
    server = _Server(("127.0.0.1", slack.port), _Handler)
    server.slack = slack
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield slack
    finally:
        server.shutdown()
        server.server_close()


class SlackEvents:
    """What Slack posts to the gateway's /slack/events, signed as Slack signs it."""

    def __init__(self, gateway_url: str, secret: str = SIGNING_SECRET) -> None:
        self.url = f"{gateway_url}/slack/events"
        self.verifier = SignatureVerifier(secret)

    def post(self, body: str, content_type: str, timestamp: int | None = None,
             signature: str | None = None, retry: int | None = None) -> requests.Response:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
                   "X-Slack-Signature": signature if signature is not None
                   else self.verifier.generate_signature(timestamp=stamp, body=body)}
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return requests.post(self.url, data=body.encode(), headers=headers, timeout=10)

    def event(self, event: dict[str, Any], event_id: str | None = None,
              **kwargs: Any) -> requests.Response:
        """An Events API callback wrapping `event`."""
        body = {"token": "unused", "team_id": TEAM, "api_app_id": "A1", "type": "event_callback",
                "event_id": event_id or new_event_id(), "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
                "event": event}
        return self.post(json.dumps(body), "application/json", **kwargs)

    def dm(self, user: str, text: str, channel: str | None = None, **kwargs: Any
           ) -> requests.Response:
        return self.event({"type": "message", "channel_type": "im",
                           "channel": channel or f"D{user}", "user": user, "text": text,
                           "ts": new_ts(), "team": TEAM}, **kwargs)

    def mention(self, user: str, text: str, channel: str = "CGENERAL", ts: str | None = None,
                thread_ts: str | None = None, **kwargs: Any) -> requests.Response:
        event = {"type": "app_mention", "channel": channel, "user": user,
                 "text": f"<@{BOT_USER}> {text}", "ts": ts or new_ts(), "team": TEAM}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event, **kwargs)

    def press(self, user: str, sent: SlackCallRecord, index: int = 0,
              **kwargs: Any) -> requests.Response:
        """The user presses button `index` of a message the gateway sent."""
        actions = [b for b in sent.arguments.get("blocks", []) if b["type"] == "actions"]
        button = actions[0]["elements"][index]
        channel = sent.arguments["channel"]
        message_ts = str(sent.result.get("ts") or sent.result.get("message_ts") or new_ts())
        container = {"type": "message", "message_ts": message_ts, "channel_id": channel,
                     "is_ephemeral": sent.method == "chat.postEphemeral"}
        if sent.arguments.get("thread_ts"):
            container["thread_ts"] = sent.arguments["thread_ts"]
        payload = {
            "type": "block_actions", "team": {"id": TEAM, "domain": "hub"},
            "user": {"id": user, "team_id": TEAM}, "api_app_id": "A1", "token": "unused",
            "container": container, "trigger_id": f"trigger-{uuid.uuid4().hex}",
            "channel": {"id": channel, "name": "directmessage" if channel.startswith("D")
                        else "general"},
            "actions": [{"type": "button", "block_id": "b1", "action_id": button["action_id"],
                         "text": button["text"], "value": button["value"],
                         "action_ts": new_ts()}]}
        if sent.method != "chat.postEphemeral":  # Slack sends the message pressed, if not ephemeral
            payload["message"] = {"type": "message", "ts": message_ts, "bot_id": BOT_ID,
                                  "text": sent.arguments.get("text", ""),
                                  "blocks": sent.arguments.get("blocks", [])}
        return self.post(urlencode({"payload": json.dumps(payload)}),
                         "application/x-www-form-urlencoded", **kwargs)


_seq = itertools.count(1)


def new_ts() -> str:
    return f"{int(time.time())}.{next(_seq):06d}"


def new_event_id() -> str:
    return f"Ev{uuid.uuid4().hex[:10].upper()}"

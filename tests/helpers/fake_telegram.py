"""A local fake of the Telegram Bot API: a real HTTP server on a free port speaking the Bot API's
HTTP protocol (`POST /bot<token>/<method>`, form or JSON parameters, `{"ok": ..., "result": ...}`
answers), recording every method called. python-telegram-bot's `base_url` is pointed at it
(TELEGRAM_API_URL).

    with run_fake_telegram() as telegram:
        ... telegram.calls (every (method, parameters)), telegram.sent(chat_id) (the sendMessage
        calls to a chat), telegram.push(update) (what getUpdates hands out next)
        telegram.failures["sendMessage"] = [502]   # the next sendMessage answers 502 first

Methods: getMe, setWebhook, deleteWebhook, getWebhookInfo, getUpdates (long polling: waits up to
its `timeout` for an update, confirms everything below `offset`), sendMessage, sendChatAction,
answerCallbackQuery, editMessageReplyMarkup, close, logOut. A call with another token is answered
401 like Telegram's ("Unauthorized") and counted in `refused`; an unknown method 404.
"""
from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

from tests.helpers.fake_server import serving

BOT_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmnop"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Wellbeing Hub",
            "username": "wellbeing_hub_test_bot", "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False}
# Parameters python-telegram-bot sends JSON-encoded inside a form.
JSON_PARAMETERS = frozenset({"reply_markup", "allowed_updates", "entities", "reply_parameters",
                             "link_preview_options"})
LONG_POLL_CAP = 2.0  # seconds a getUpdates waits at most here, whatever its timeout


@dataclass
class FakeTelegram:
    port: int
    token: str = BOT_TOKEN
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    failures: dict[str, list[int]] = field(default_factory=dict)  # method -> statuses to answer
    updates: list[dict[str, Any]] = field(default_factory=list)  # for getUpdates
    webhook: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    new_update: threading.Condition = field(default_factory=threading.Condition)
    next_message_id: int = 1000

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def methods(self) -> list[str]:
        with self.lock:
            return [method for method, _ in self.calls]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        with self.lock:
            return [params for name, params in self.calls if name == method]

    def sent(self, chat_id: int | str) -> list[dict[str, Any]]:
        """The sendMessage calls to this chat, oldest first."""
        return [p for p in self.calls_of("sendMessage") if str(p.get("chat_id")) == str(chat_id)]

    def wait_for_calls(self, method: str, timeout: float = 10.0,
                       **matching: Any) -> list[dict[str, Any]]:
        """The calls of `method` with these parameters (compared as text), once there is one;
        none after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls_of(method)
                     if all(str(c.get(k)) == str(v) for k, v in matching.items())]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def wait_for_sent(self, chat_id: int | str, count: int = 1, containing: str = "",
                      timeout: float = 30.0) -> list[dict[str, Any]]:
        """The messages sent to the chat once at least `count` contain `containing`."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [p for p in self.sent(chat_id)
                        if containing.lower() in str(p.get("text", "")).lower()]
            if len(matching) >= count:
                return matching
            if time.monotonic() > deadline:
                texts = [str(p.get("text", ""))[:100] for p in self.sent(chat_id)]
                raise AssertionError(f"no {count} message(s) containing {containing!r} sent to "
                                     f"chat {chat_id} in {timeout:.0f} s; sent: {texts}")
            time.sleep(0.1)

    def push(self, update: dict[str, Any]) -> None:
        """An update for getUpdates (polling mode)."""
        with self.new_update:
            self.updates.append(update)
            self.new_update.notify_all()

    def clear(self) -> None:
        with self.lock:
            self.calls.clear()
            self.refused.clear()
            self.failures.clear()

    # --- the Bot API ------------------------------------------------------------------------

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.calls.append((method, params))
            statuses = self.failures.get(method)
            status = statuses.pop(0) if statuses else None
        if status == 429:
            return 429, {"ok": False, "error_code": 429,
                         "description": "Too Many Requests: retry after 1",
                         "parameters": {"retry_after": 1}}
        if status is not None:
            return status, {"ok": False, "error_code": status, "description": "Bad Gateway"}
        handler = getattr(self, "_" + re.sub(r"(?<!^)(?=[A-Z])", "_", method).lower(), None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        return 200, {"ok": True, "result": handler(params)}

    def _get_me(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    def _set_webhook(self, params: dict[str, Any]) -> Any:
        self.webhook = dict(params)
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": 0}

    def _get_updates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        deadline = time.monotonic() + wait
        with self.new_update:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and time.monotonic() < deadline:
                self.new_update.wait(max(0.0, deadline - time.monotonic()))
            return list(self.updates)

    def _send_message(self, params: dict[str, Any]) -> Any:
        with self.lock:
            self.next_message_id += 1
            message_id = self.next_message_id
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": message_id, "date": int(time.time()), "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group",
                     **({"first_name": "Client"} if chat_id > 0 else {"title": "A group"})},
            "text": params.get("text", "")}
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _send_chat_action(self, params: dict[str, Any]) -> Any:
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> Any:
        return True

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> Any:
        return True

    def _close(self, params: dict[str, Any]) -> Any:
        return True

    def _log_out(self, params: dict[str, Any]) -> Any:
        return True


def _parameters(content_type: str, body: bytes) -> dict[str, Any]:
    """The call's parameters: JSON, or a form whose values may themselves be JSON (as
    python-telegram-bot sends reply_markup and allowed_updates)."""
    if not body:
        return {}
    if content_type.startswith("application/json"):
        loaded = json.loads(body)
        return loaded if isinstance(loaded, dict) else {}
    params: dict[str, Any] = {}
    for name, value in parse_qsl(body.decode(), keep_blank_values=True):
        params[name] = json.loads(value) if name in JSON_PARAMETERS else value
    return params


def _handler(fake: FakeTelegram) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return None

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # http.server's name
            self._call()

        def do_GET(self) -> None:
            self._call()

        def _call(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = self.path.split("?", 1)[0].strip("/").split("/")
            if len(parts) != 2 or not parts[0].startswith("bot"):
                self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            token, method = parts[0][3:], parts[1]
            if token != fake.token:
                with fake.lock:
                    fake.refused.append(method)
                self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                return
            params = _parameters(self.headers.get("Content-Type", ""), body)
            status, answer = fake.answer(method, params)
            self._reply(status, answer)

    return Handler


@contextmanager
def run_fake_telegram() -> Iterator[FakeTelegram]:
    with serving(FakeTelegram, _handler, "fake-telegram") as fake:
        yield fake

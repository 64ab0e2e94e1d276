"""Read a Server-Sent Events stream in a background thread, for tests.

    with EventStream(url, headers={"Last-Event-ID": "3"}) as stream:
        event = stream.wait_for(lambda e: e.name == "message" and e.data["sender"] == "agent")
"""
from __future__ import annotations

import contextlib
import http.client
import json
import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class SseEvent:
    name: str
    data: Any
    id: str | None


class EventStream:
    """Over a plain socket, so that closing it ends the reader at once."""

    def __init__(self, url: str, headers: dict[str, str] | None = None,
                 cookies: dict[str, str] | None = None) -> None:
        self.url, self.headers = urlsplit(url), dict(headers or {})
        if cookies:
            self.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        self.events: queue.Queue[SseEvent] = queue.Queue()
        self.seen: list[SseEvent] = []
        self.status: int | None = None
        self.body: str = ""
        self._connection: http.client.HTTPConnection | None = None
        self._connected = threading.Event()
        self._error: BaseException | None = None

    def __enter__(self) -> EventStream:
        self._thread = threading.Thread(target=self._read, daemon=True, name="sse-reader")
        self._thread.start()
        if not self._connected.wait(10):
            raise AssertionError("event stream did not connect")
        if self._error is not None:
            raise AssertionError(f"event stream failed: {self._error!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        connection = self._connection
        if connection is not None and connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)
            connection.close()
        self._thread.join(timeout=5)

    def _read(self) -> None:
        try:
            self._connection = http.client.HTTPConnection(self.url.hostname, self.url.port,
                                                          timeout=60)
            path = self.url.path + (f"?{self.url.query}" if self.url.query else "")
            self._connection.request("GET", path, headers=self.headers)
            response = self._connection.getresponse()
            self.status = response.status
            if response.status != 200:
                self.body = response.read().decode()
                self._connected.set()
                return
            self._connected.set()
            name, data, event_id = "message", [], None
            while True:
                raw = response.readline()
                if not raw:
                    return
                line = raw.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if data:
                        self.events.put(SseEvent(name, json.loads("\n".join(data)), event_id))
                    name, data, event_id = "message", [], None
                elif line.startswith(":"):
                    continue
                else:
                    key, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if key == "event":
                        name = value
                    elif key == "data":
                        data.append(value)
                    elif key == "id":
                        event_id = value
        except BaseException as exc:  # noqa: BLE001 - closed by the test, or a real failure
            self._error = exc
            self._connected.set()

    def wait_for(self, predicate: Callable[[SseEvent], bool], timeout: float = 30.0) -> SseEvent:
        """The first event (already seen or yet to come) that matches."""
        for event in self.seen:
            if predicate(event):
                return event
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(event)
            if predicate(event):
                return event
        raise AssertionError(f"no matching event in {timeout:.0f} s; saw "
                             f"{[(e.name, e.data) for e in self.seen]}")

    def ended(self, timeout: float) -> bool:
        """Whether the server ended the stream within `timeout` seconds."""
        self._thread.join(timeout)
        return not self._thread.is_alive() and self._error is None

    def drain(self, seconds: float = 0.5) -> list[SseEvent]:
        """Everything that arrives in the next `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                self.seen.append(self.events.get(timeout=0.05))
        return self.seen

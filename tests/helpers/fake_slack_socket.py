"""A stand-in for Slack's Socket Mode WebSocket (aiohttp, in a thread of its own), for the fake
Web API's `apps.connections.open` to hand out.

    with run_fake_socket_mode() as socket:
        slack.socket_url = socket.url      # apps.connections.open answers it
        socket.wait_connected()
        envelope_id = socket.send_event({...event_callback body...})
        socket.wait_acked(envelope_id)

Protocol (https://api.slack.com/apis/socket-mode): on connect the server says `hello`; it sends
envelopes `{"envelope_id", "type": "events_api" | "interactive", "payload",
"accepts_response_payload"}` and the app answers each with `{"envelope_id"}` (its ack).
"""
from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.helpers.processes import free_port


@dataclass
class FakeSocketMode:
    port: int
    loop: asyncio.AbstractEventLoop | None = None
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    acked: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link"

    def wait_connected(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.sockets:
            assert time.monotonic() < deadline, "the app never connected in Socket Mode"
            time.sleep(0.1)

    def send(self, kind: str, payload: dict[str, Any]) -> str:
        envelope_id = str(uuid.uuid4())
        message = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                   "accepts_response_payload": False, "retry_attempt": 0,
                   "retry_reason": ""}
        assert self.loop is not None
        asyncio.run_coroutine_threadsafe(self.sockets[-1].send_str(json.dumps(message)),
                                         self.loop).result(10)
        return envelope_id

    def wait_acked(self, envelope_id: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while envelope_id not in self.acked:
            assert time.monotonic() < deadline, "the envelope was never acknowledged"
            time.sleep(0.05)


@contextmanager
def run_fake_socket_mode() -> Iterator[FakeSocketMode]:
    fake = FakeSocketMode(free_port())
    started = threading.Event()
    stop: asyncio.Event | None = None

    async def link(request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        fake.sockets.append(socket)
        await socket.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                data = json.loads(message.data)
                if "envelope_id" in data:
                    fake.acked.append(data["envelope_id"])
        return socket

    async def serve() -> None:
        nonlocal stop
        stop = asyncio.Event()
        fake.loop = asyncio.get_running_loop()
        app = web.Application()
        app.router.add_get("/link", link)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", fake.port).start()
        started.set()
        await stop.wait()
        for socket in fake.sockets:
            await socket.close()
        await runner.cleanup()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield fake
    finally:
        assert fake.loop is not None and stop is not None
        fake.loop.call_soon_threadsafe(stop.set)
        thread.join(10)

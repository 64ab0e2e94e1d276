"""Small ASGI middlewares, one concern each.

- `RequestLog`: one line per request (method, path, status, time; never the query string, which
  can hold a conversation key) and the last line of defence: an unhandled exception becomes a
  500 error body, logged by type only.
- `BodyLimit`: a request body over `max_bytes` gets 413 before anyone parses it.
- `PathCors`: CORS for one path prefix only (the widget API), for the configured origins.
- `SecurityHeaders`: nosniff everywhere; every response under /console (its page however it is
  reached, its files, its API) carries the console's Content-Security-Policy and may not be
  framed.
"""
from __future__ import annotations

import logging
import time

from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.gateway.errors import error_response, shorten

log = logging.getLogger("bot.gateway.http")

# The console's scripts and styles come from files of its own origin only, and it talks to its
# own origin only: no inline scripts, styles or handlers.
CONSOLE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status, response_started = time.perf_counter(), 500, False

        async def send_and_record(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            log.error("unhandled %s on %s %s", type(exc).__name__, scope["method"],
                      shorten(scope["path"], 200))
            if not response_started:
                response = error_response(500, "internal_error",
                                          "Something went wrong in the gateway.")
                await response(scope, receive, send)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.info("%s %s %s %.0fms", scope["method"], shorten(scope["path"], 200), status,
                     elapsed_ms)


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException so FastAPI passes it through as is."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, too_large_message(max_bytes))


def too_large_message(max_bytes: int) -> str:
    return f"The request body is over {max_bytes // 1024} KB"


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        received, response_started = 0, False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def send_and_record(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, send_and_record)
        except BodyTooLarge:
            if not response_started:
                await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, "request_too_large",
                                  too_large_message(self.max_bytes) + ".")
        await response(scope, receive, send)


class PathCors:
    def __init__(self, app: ASGIApp, prefix: str, origins: tuple[str, ...]) -> None:
        self.app = app
        self.prefix = prefix
        self.cors = CORSMiddleware(
            app, allow_origins=list(origins), allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
            allow_credentials=False, max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        console = scope["path"] == "/console" or scope["path"].startswith("/console/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))
                if console:
                    headers = [(k, v) for k, v in headers
                               if k.lower() != b"content-security-policy"]
                    headers.append((b"content-security-policy", CONSOLE_CSP.encode()))
                    headers.append((b"x-frame-options", b"DENY"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return value.decode("latin-1")
    return None

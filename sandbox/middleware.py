"""Two small ASGI middlewares: the API key check, and a request log that also turns any
unexpected exception into a 500 error body. Neither ever logs personal data: the log line has the
method, the path (ids only, never the query string), the status and the duration.
"""
from __future__ import annotations

import hmac
import logging
import time
import traceback

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.errors import error_response, shorten

log = logging.getLogger("sandbox.http")

PROTECTED_PREFIX = "/api/v1"
PUBLIC_PATHS = {"/api/v1/health"}


class ApiKeyMiddleware:
    """`Authorization: Bearer <key>` on /api/v1/* except health, checked before the body is read."""

    def __init__(self, app: ASGIApp, api_key: str) -> None:
        self.app = app
        self._key = api_key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._protected(scope["path"]):
            problem = self._problem(_header(scope, b"authorization"))
            if problem:
                headers = {"WWW-Authenticate": "Bearer"}
                await error_response(401, "unauthorized", problem, headers)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _protected(path: str) -> bool:
        on_api = path == PROTECTED_PREFIX or path.startswith(PROTECTED_PREFIX + "/")
        return on_api and path.rstrip("/") not in PUBLIC_PATHS

    def _problem(self, header: str | None) -> str | None:
        if not header:
            return "Missing API key: send the header 'Authorization: Bearer <key>'."
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return "The Authorization header must be 'Bearer <key>'."
        if not hmac.compare_digest(token.strip().encode(), self._key):
            return "The API key is not valid."
        return None


class RequestLogMiddleware:
    """One log line per request; an unhandled exception becomes a 500 error body, logged by
    type only (exception messages can carry bound values)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500
        response_started = False

        async def send_and_record(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        except Exception as exc:  # the last line of defence: log it, answer 500
            log.error(
                "unhandled %s on %s %s\n%s", type(exc).__name__, scope["method"],
                shorten(scope["path"], 200), "".join(traceback.format_tb(exc.__traceback__)),
            )
            if response_started:
                raise
            response = error_response(500, "internal_error", "Something went wrong in the sandbox.")
            await response(scope, receive, send)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            path = shorten(scope["path"], 200)
            log.info("%s %s %s %.0fms", scope["method"], path, status, elapsed_ms)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return value.decode("latin-1")
    return None

"""Every error leaves as `{"error": {"code", "message"}}` with a 4xx; this is the one place that
turns exceptions into those responses."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.core.handoff_states import RefusalKind, Refused


class ApiError(Exception):
    """An error with its HTTP status, a snake_case code and a sentence for a human."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_response(status: int, code: str, message: str,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=headers)


def message_text(raw: str, max_chars: int, too_long_hint: str = "") -> str:
    """The trimmed text of a chat message, or an ApiError: empty (422) or too long (413)."""
    text = raw.strip()
    if not text:
        raise ApiError(422, "empty_message", "The message is empty.")
    if len(text) > max_chars:
        raise ApiError(413, "message_too_long",
                       f"The message is {len(text):,} characters long; the most is "
                       f"{max_chars:,}.{too_long_hint}")
    return text


def shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_validation_error(errors: list[dict[str, Any]]) -> str:
    """One readable sentence naming the field, instead of FastAPI's raw list."""
    first = errors[0]
    kind, loc = first.get("type", ""), [str(part) for part in first.get("loc", ())]
    if kind == "json_invalid":
        return "The request body is not valid JSON."
    where, name = (loc[0], ".".join(loc[1:])) if loc else ("body", "")
    if where == "body" and not name:
        return "The request body must be a JSON object (Content-Type: application/json)."
    subject = f"{'Field' if where == 'body' else where.capitalize()} {shorten(name)!r}"
    if kind == "missing":
        return f"{subject} is required."
    if kind.startswith("string_too_long"):
        limit = (first.get("ctx") or {}).get("max_length")
        return f"{subject} is too long (at most {limit} characters)."
    if kind.startswith("string_type"):
        return f"{subject} must be a string."
    if kind.startswith("int"):
        return f"{subject} must be a whole number."
    message = str(first.get("msg", "is invalid")).removeprefix("Value error, ").rstrip(".")
    return f"{subject}: {message}."


# What FastAPI answers 400 to: a body that isn't UTF-8, or JSON nested too deeply to parse.
UNREADABLE_BODY = ("The request body can't be read: send one JSON object, UTF-8 encoded, "
                   "without deep nesting.")

REFUSAL_STATUS = {RefusalKind.NOT_FOUND: 404, RefusalKind.FORBIDDEN: 403,
                  RefusalKind.CONFLICT: 409}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(Refused)
    async def _refused(_: Request, exc: Refused) -> JSONResponse:
        return error_response(REFUSAL_STATUS[exc.kind], exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request",
                              describe_validation_error(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        path = shorten(request.url.path)
        if exc.status_code == 404:
            return error_response(404, "not_found", f"No such endpoint: {request.method} {path}.")
        if exc.status_code == 405:
            return error_response(405, "method_not_allowed",
                                  f"{request.method} is not allowed on {path}.",
                                  headers=dict(exc.headers or {}))
        if exc.status_code == 400:  # the framework couldn't parse the body at all
            return error_response(422, "invalid_request", UNREADABLE_BODY)
        message = str(exc.detail).rstrip(".") + "."
        code = "request_too_large" if exc.status_code == 413 else f"http_{exc.status_code}"
        return error_response(exc.status_code, code, message,
                              headers=dict(exc.headers or {}))

"""Every error leaves as `{"error": {"code", "message"}}`; this module is the one place that
turns exceptions into those responses."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sandbox.rules import RuleViolation


class ApiError(Exception):
    """An error with its HTTP status, snake_case code and a sentence for a human."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def not_found(kind: str, identifier: str) -> ApiError:
    return ApiError(404, f"{kind}_not_found", f"No {kind} with id {shorten(identifier)!r}.")


def shorten(text: str, limit: int = 60) -> str:
    """Echo user input in messages, but never all 10,000 characters of it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_response(
    status: int, code: str, message: str, headers: dict | None = None
) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=headers)


LABELS = {"body": "Field", "query": "Query parameter", "header": "Header", "path": "Path parameter"}


def describe_validation_error(errors: list[dict[str, Any]]) -> str:
    """One readable sentence naming the field, instead of FastAPI's raw list."""
    first = errors[0]
    kind, loc = first.get("type", ""), [str(part) for part in first.get("loc", ())]
    extra = len(errors) - 1
    more = f" ({extra} more problem{'s' if extra > 1 else ''} in this request.)" if extra else ""
    if kind == "json_invalid":
        reason = (first.get("ctx") or {}).get("error", "")
        return f"The request body is not valid JSON{f' ({reason})' if reason else ''}."
    where, name = (loc[0], ".".join(loc[1:])) if loc else ("body", "")
    if where == "body" and not name:
        if kind == "missing":
            return "The request body is required: send a JSON object."
        return "The request body must be a JSON object (Content-Type: application/json)." + more
    subject = f"{LABELS.get(where, 'Field')} {shorten(name)!r}"
    if kind == "missing":
        return f"{subject} is required.{more}"
    if kind == "extra_forbidden":
        return f"{subject} is not a known field.{more}"
    if kind == "string_pattern_mismatch":
        return f"{subject} contains characters that are not allowed.{more}"
    message = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
    if not message.endswith("."):
        message += "."
    separator = " " if message[:1].islower() else ": "
    return f"{subject}{separator}{message}{more}"


BODY_NOT_PARSED = "There was an error parsing the body"  # fastapi.routing


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RuleViolation)
    async def _rule_violation(_: Request, exc: RuleViolation) -> JSONResponse:
        return error_response(409, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", describe_validation_error(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        path = shorten(request.url.path)
        if exc.status_code == 404:
            return error_response(404, "not_found", f"No such endpoint: {request.method} {path}.")
        if exc.status_code == 405:
            return error_response(
                405, "method_not_allowed", f"{request.method} is not allowed on {path}.",
                headers=dict(exc.headers or {}),
            )
        if exc.status_code == 400 and exc.detail == BODY_NOT_PARSED:
            # FastAPI's answer to a body it can't decode (not UTF-8): a malformed request, 422
            # like any other, as the OpenAPI document says.
            return error_response(422, "invalid_request",
                                  "The request body is not valid JSON (UTF-8 text).")
        code = "bad_request" if exc.status_code == 400 else f"http_{exc.status_code}"
        message = str(exc.detail).rstrip(".") + "."
        return error_response(exc.status_code, code, message, headers=dict(exc.headers or {}))

"""One module per resource. `protected_router` gives each /api/v1 router the same error
responses and the bearer-key security scheme in the OpenAPI document (the key itself is checked by
`sandbox.middleware.ApiKeyMiddleware`, before the request body is read)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Security
from fastapi.security import HTTPBearer

from sandbox.schemas import ErrorResponse

bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <PLATFORM_API_KEY>`")


def error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    401: error("Missing or wrong API key (`unauthorized`)."),
    422: error("Malformed request (`invalid_request`); the message names the field."),
}


def protected_router(tag: str) -> APIRouter:
    return APIRouter(
        prefix="/api/v1", tags=[tag], dependencies=[Security(bearer)], responses=COMMON_ERRORS
    )

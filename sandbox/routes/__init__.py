"""One module per resource. `protected_router` gives each /api/v1 router the same error
responses and the bearer-key security scheme in the OpenAPI document (the key itself is checked by
`sandbox.middleware.ApiKeyMiddleware`, before the request body is read).

`IdempotencyKey` and `respond_once` are the shared handling of the writes a client may repeat
(booking, re-sending invoices): the first answer is stored and replayed (`sandbox.idempotency`).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Security
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPBearer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sandbox import idempotency, queries
from sandbox.schemas import ErrorResponse

bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <PLATFORM_API_KEY>`")


def error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    401: error("Missing or wrong API key (`unauthorized`)."),
    422: error("Malformed request (`invalid_request`); the message names the field."),
}

IdempotencyKey = Annotated[str, Header(
    alias="Idempotency-Key", min_length=8, max_length=128,
    description="Any unique string per attempt (8–128 characters); a retry with the same key "
                "and body replays the first answer instead of doing it twice.",
)]
REPLAYED_HEADER = "Idempotent-Replayed"


def replayed(model: type[Any], first: str = "") -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entry of the 200 that replays the first answer (`first`: what a first 200
    means, when the first answer is a 200 too)."""
    replay = (f"A repeat with the same Idempotency-Key gets the first answer, replayed (header "
              f"`{REPLAYED_HEADER}: true`).")
    return {200: {"model": model, "description": f"{first} {replay}".strip()}}


def respond_once(
    session: Session, client_id: str, key: str, request_hash: str, now: datetime,
    write: Callable[[], tuple[int, dict[str, Any]]],
    on_race: Callable[[], Exception] | None = None,
) -> Response:
    """Do `write` (its status and JSON body) once per (client, key): a repeat with the same
    request replays the stored answer (200, `Idempotent-Replayed: true`), another request with the
    key is `409 idempotency_key_reused`. A refused write (an exception) is not stored.

    `on_race`: the error to raise when the database refused the write for another reason than a
    concurrent duplicate of this key (e.g. the slot's unique index).
    """
    queries.lock_client(session, client_id)  # same-client writes wait here, one at a time
    stored = idempotency.stored_response(session, client_id, key, request_hash)
    if stored is not None:
        return _replay(stored)
    try:
        status, body = write()
        response = JSONResponse(body, status_code=status)
        idempotency.remember(session, client_id, key, request_hash, status,
                             bytes(response.body).decode(), now)
        session.flush()
    except IntegrityError:
        # Another request won the race: the same key (replay it), or `on_race`.
        session.rollback()
        stored = idempotency.stored_response(session, client_id, key, request_hash)
        if stored is not None:
            return _replay(stored)
        if on_race is None:
            raise
        raise on_race() from None
    return response


def _replay(body: str) -> Response:
    return Response(body, status_code=200, media_type="application/json",
                    headers={REPLAYED_HEADER: "true"})


def protected_router(tag: str) -> APIRouter:
    return APIRouter(
        prefix="/api/v1", tags=[tag], dependencies=[Security(bearer)], responses=COMMON_ERRORS
    )

"""Quote, book (idempotent), list and cancel a client's sessions."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Body, Header, Query
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError

from sandbox import booking as bookings
from sandbox import idempotency, present, queries
from sandbox.deps import LinksDep, NowDep, SessionDep
from sandbox.routes import error, protected_router
from sandbox.schemas import (
    BookingOut,
    BookingRequest,
    BookingsOut,
    CancelledBookingOut,
    CancelRequest,
    QuoteOut,
)

router = protected_router("bookings")

IdempotencyKey = Annotated[str, Header(
    alias="Idempotency-Key", min_length=8, max_length=128,
    description="Any unique string per booking attempt; retry with the same key and body.",
)]
BOOKING_ERRORS: dict[int | str, dict[str, Any]] = {
    404: error("Unknown client, professional or service."),
    409: error("`slot_unavailable`, `no_credits_left` or `idempotency_key_reused`."),
}


@router.post("/clients/{client_id}/bookings/quote", response_model=QuoteOut,
             responses=BOOKING_ERRORS, summary="What a booking would cost (no side effects)")
def quote(client_id: str, request: BookingRequest, session: SessionDep, now: NowDep) -> QuoteOut:
    """Checks the slot and chooses the payment method exactly as booking would."""
    client = queries.get_client(session, client_id)
    return present.quote(bookings.plan(session, client, request, now), now)


@router.post(
    "/clients/{client_id}/bookings", status_code=201, response_model=BookingOut,
    responses={**BOOKING_ERRORS, 200: {
        "model": BookingOut,
        "description": "Replay of the first response for this Idempotency-Key "
                       "(header `Idempotent-Replayed: true`).",
    }},
    summary="Book a session",
)
def create_booking(
    client_id: str, request: BookingRequest, idempotency_key: IdempotencyKey,
    session: SessionDep, now: NowDep, links: LinksDep,
) -> Response:
    """Books an open slot, paid with credits while any remain (or self-paid: an unpaid invoice
    and its e-mail); the client and professional get a confirmation e-mail."""
    client = queries.get_client(session, client_id)
    client_id = client.id
    queries.lock_client(session, client_id)
    request_hash = idempotency.fingerprint(request)
    stored = idempotency.stored_response(session, client_id, idempotency_key, request_hash)
    if stored is not None:
        return _replay(stored)
    try:
        plan = bookings.plan(session, client, request, now)
        booking = bookings.book(session, client, plan, links, now)
        body = present.booking(booking, now).model_dump(mode="json")
        response = JSONResponse(body, status_code=201)
        idempotency.remember(session, client_id, idempotency_key, request_hash, 201,
                             bytes(response.body).decode(), now)
        session.flush()
    except IntegrityError:
        # Another request won the race: the same key (replay it) or the same slot.
        session.rollback()
        stored = idempotency.stored_response(session, client_id, idempotency_key, request_hash)
        if stored is not None:
            return _replay(stored)
        raise bookings.slot_unavailable() from None
    return response


def _replay(body: str) -> Response:
    return Response(body, status_code=200, media_type="application/json",
                    headers={"Idempotent-Replayed": "true"})


@router.get("/clients/{client_id}/bookings", response_model=BookingsOut,
            responses={404: error("Unknown client.")}, summary="A client's sessions")
def list_bookings(
    client_id: str, session: SessionDep, now: NowDep,
    status: Annotated[Literal["upcoming", "past", "all"], Query()] = "upcoming",
) -> BookingsOut:
    """`upcoming` (not cancelled, not started; soonest first), `past` (started; latest first)
    or `all` (by start)."""
    client = queries.get_client(session, client_id)
    rows = queries.client_bookings(session, client.id, status, now)
    return BookingsOut(bookings=[present.booking(row, now) for row in rows])


@router.post(
    "/clients/{client_id}/bookings/{booking_id}/cancel", response_model=CancelledBookingOut,
    responses={
        404: error("Unknown client or booking."),
        409: error("`late_cancellation_not_acknowledged`, `booking_completed`, "
                   "`booking_already_cancelled` or `booking_started`."),
    },
    summary="Cancel a session (24-hour rule)",
)
def cancel_booking(
    client_id: str, booking_id: str, session: SessionDep, now: NowDep,
    request: Annotated[CancelRequest | None, Body()] = None,
) -> CancelledBookingOut:
    """Less than 24 hours before the start, `acknowledge_late: true` is required; a late-cancelled
    credit session keeps its credit counted (the professional decides). `message` says which."""
    client = queries.get_client(session, client_id)
    acknowledge_late = request.acknowledge_late if request else False
    booking, message = bookings.cancel(session, client, booking_id, acknowledge_late, now)
    return CancelledBookingOut(**present.booking(booking, now).model_dump(), message=message)

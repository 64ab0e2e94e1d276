"""Quote, book (idempotent), list and cancel a client's sessions."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Body, Query
from fastapi.responses import Response

from sandbox import booking as bookings
from sandbox import idempotency, present, queries
from sandbox.deps import LinksDep, NowDep, SessionDep
from sandbox.routes import IdempotencyKey, error, protected_router, replayed, respond_once
from sandbox.schemas import (
    BookingOut,
    BookingRequest,
    BookingsOut,
    CancelledBookingOut,
    CancelRequest,
    QuoteOut,
)

router = protected_router("bookings")

BOOKING_ERRORS: dict[int | str, dict[str, Any]] = {
    404: error("Unknown client, professional or service."),
    409: error("`slot_unavailable`; `no_credits_left` (`payment: \"credits\"` with none "
               "left); `price_changed` (`expected_price` is not what it would cost now); "
               "`idempotency_key_reused` (booking only)."),
}


@router.post("/clients/{client_id}/bookings/quote", response_model=QuoteOut,
             responses=BOOKING_ERRORS, summary="What a booking would cost (no side effects)")
def quote(client_id: str, request: BookingRequest, session: SessionDep, now: NowDep) -> QuoteOut:
    """Checks the slot and chooses the payment method exactly as booking would."""
    client = queries.get_client(session, client_id)
    return present.quote(bookings.plan(session, client, request, now), now)


@router.post(
    "/clients/{client_id}/bookings", status_code=201, response_model=BookingOut,
    responses={**BOOKING_ERRORS, **replayed(BookingOut)},
    summary="Book a session",
)
def create_booking(
    client_id: str, request: BookingRequest, idempotency_key: IdempotencyKey,
    session: SessionDep, now: NowDep, links: LinksDep,
) -> Response:
    """Books an open slot, paid with credits while any remain (or self-paid: an unpaid invoice
    and its e-mail); the client and professional get a confirmation e-mail. Send the quote's
    `payment` and `expected_price` to book exactly what the client accepted: when that no longer
    holds, `409 no_credits_left` or `409 price_changed` and nothing is booked."""
    client = queries.get_client(session, client_id)

    def write() -> tuple[int, dict[str, Any]]:
        plan = bookings.plan(session, client, request, now)
        booking = bookings.book(session, client, plan, links, now)
        return 201, present.booking(booking, now).model_dump(mode="json")

    # A database refusal that is not a concurrent duplicate of this key: the slot's unique index.
    return respond_once(session, client.id, idempotency_key, idempotency.fingerprint(request),
                        now, write, on_race=bookings.slot_unavailable)


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

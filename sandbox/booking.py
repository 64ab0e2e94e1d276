"""Quoting, booking and cancelling sessions: the rules applied to the database."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from sandbox import emails, invoicing, queries, rules
from sandbox.links import Links
from sandbox.models import Booking, Client, Professional, Service
from sandbox.money import format_money, to_minor
from sandbox.rules import PaymentMethod, RuleViolation
from sandbox.schemas import BookingRequest, ExpectedPrice


def slot_unavailable() -> RuleViolation:
    return RuleViolation(
        "slot_unavailable",
        "That time is not an open slot of this professional (taken, in the past, less than an "
        "hour away, or outside their hub availability). Ask for the availability and pick a "
        "listed slot.",
    )


@dataclass(frozen=True)
class Plan:
    """A booking request checked against the rules: what would be booked, and how it is paid."""

    professional: Professional
    service: Service
    start: datetime
    end: datetime
    payment_method: PaymentMethod
    price_minor: int
    credits_remaining_after: int


def plan(session: Session, client: Client, request: BookingRequest, now: datetime) -> Plan:
    """Check the request (404 for unknown ids, 409 for rule violations); no side effects."""
    professional = queries.hub_professional(session, client, request.professional_id)
    service = queries.professional_service(professional, request.service_id)
    slots = queries.open_slots(session, professional, service, now, rules.MAX_DAYS)
    if request.start not in {start for start, _ in slots}:
        raise slot_unavailable()
    remaining = queries.credit_summary(session, client, now).remaining
    method = rules.choose_payment_method(request.payment, remaining)
    with_credits = method == rules.CREDITS
    price_minor = 0 if with_credits else service.price_minor
    if request.expected_price is not None:
        check_expected_price(request.expected_price, price_minor, service.currency)
    return Plan(
        professional=professional, service=service, start=request.start,
        end=request.start + timedelta(minutes=service.duration_minutes), payment_method=method,
        price_minor=price_minor,
        credits_remaining_after=remaining - 1 if with_credits else remaining,
    )


def check_expected_price(expected: ExpectedPrice, price_minor: int, currency: str) -> None:
    """409 `price_changed` unless the booking costs exactly what the client was quoted."""
    if expected.currency == currency and to_minor(expected.amount, currency) == price_minor:
        return
    quoted_minor = to_minor(expected.amount, expected.currency)
    quoted = (f"{expected.amount} {expected.currency}" if quoted_minor is None
              else format_money(quoted_minor, expected.currency))
    raise RuleViolation(
        "price_changed",
        f"This booking would now cost {format_money(price_minor, currency)}, not the "
        f"{quoted} that was quoted; nothing was booked. Quote again and confirm the new price.",
    )


def book(session: Session, client: Client, plan: Plan, links: Links, now: datetime) -> Booking:
    """Create the booking (auto-confirmed), its invoice if self-paid, and the e-mails."""
    booking = Booking(
        id=f"b-{uuid.uuid4().hex[:12]}", client=client, professional=plan.professional,
        service=plan.service, starts_at=plan.start, ends_at=plan.end, status=rules.BOOKED,
        payment_method=plan.payment_method, price_minor=plan.price_minor,
        currency=plan.service.currency, booked_at=now, late_cancellation=False,
    )
    session.add(booking)
    if plan.payment_method == rules.SELF_PAID:
        invoicing.issue(session, booking, now)
    session.flush()
    emails.booking_confirmation(session, booking, links, now)
    if booking.invoice is not None:
        emails.invoice_email(session, booking.invoice, links, now)
    return booking


def cancel(
    session: Session, client: Client, booking_id: str, acknowledge_late: bool, now: datetime
) -> tuple[Booking, str]:
    """Cancel under the 24-hour rule; returns the booking and the message for the client."""
    queries.lock_client(session, client.id)  # read the booking only once we hold the lock
    booking = queries.client_booking(session, client, booking_id)
    rules.check_cancellation(
        booking.status, booking.starts_at, booking.ends_at, now, acknowledge_late
    )
    late = rules.inside_cancellation_window(booking.starts_at, now)
    booking.status, booking.cancelled_at, booking.late_cancellation = rules.CANCELLED, now, late
    withdrawn = False
    if not late and booking.invoice is not None and booking.invoice.status == rules.UNPAID:
        session.delete(booking.invoice)
        booking.invoice, withdrawn = None, True
    message = rules.cancellation_message(booking.payment_method, late, withdrawn)
    session.flush()
    emails.cancellation_notice(session, booking, message, now)
    return booking, message

"""The platform's business rules as pure functions: no database, no web framework.

Credits (DOMAIN.md, "assumed" parts made concrete here):
- one credit pays for one session; the allowance is per calendar year and ends on 31 December;
- a credit-paid booking counts against the allowance of the year in which it was *booked*, so a
  session booked on 30 December for 2 January still uses this year's credit;
- it holds its credit while booked or completed; cancelling gives the credit back, except a late
  cancellation (inside 24 hours), which keeps the credit counted: the professional decides.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, Literal, Protocol

from sandbox.times import UTC

BookingStatus = Literal["booked", "completed", "cancelled"]
PaymentMethod = Literal["credits", "self_paid"]
InvoiceStatus = Literal["unpaid", "paid"]

BOOKED: Final = "booked"
COMPLETED: Final = "completed"
CANCELLED: Final = "cancelled"
CREDITS: Final = "credits"
SELF_PAID: Final = "self_paid"
UNPAID: Final = "unpaid"
PAID: Final = "paid"

CANCELLATION_WINDOW = timedelta(hours=24)
MIN_NOTICE = timedelta(hours=1)
DEFAULT_DAYS, MAX_DAYS, MAX_SLOTS = 14, 28, 50

LATE_POLICY = (
    "Changing a booking less than 24 hours before it starts may incur a penalty under the "
    "professional's terms; for a credit-paid session the professional decides whether the "
    "credit is charged."
)


class RuleViolation(Exception):
    """A request that breaks a business rule (the API answers 409 with this code and message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class CreditHolder(Protocol):
    """What the credit rules need to know about a booking."""

    payment_method: PaymentMethod
    status: BookingStatus
    late_cancellation: bool
    booked_at: datetime


@dataclass(frozen=True)
class Window:
    """Weekly hub availability: weekday (0 = Monday) from start_hour to end_hour, UTC."""

    weekday: int
    start_hour: int
    end_hour: int


def period_end(now: datetime) -> date:
    return date(now.year, 12, 31)


def holds_credit(booking: CreditHolder) -> bool:
    if booking.payment_method != CREDITS:
        return False
    return booking.status != CANCELLED or booking.late_cancellation


def credits_used(bookings: Iterable[CreditHolder], now: datetime) -> int:
    """Credits of this calendar year held by the client's bookings."""
    return sum(1 for b in bookings if holds_credit(b) and b.booked_at.year == now.year)


def credits_remaining(allowance: int, used: int) -> int:
    return max(0, allowance - used)


def choose_payment_method(requested: str | None, remaining: int) -> PaymentMethod:
    """Credits while any remain, unless the client asks to pay themselves."""
    if requested == "self":
        return SELF_PAID
    if requested == "credits" and remaining < 1:
        raise RuleViolation(
            "no_credits_left",
            "No sponsored credits are left for this period; the session can be booked at the "
            "client's own expense instead.",
        )
    return CREDITS if remaining >= 1 else SELF_PAID


def inside_cancellation_window(start: datetime, now: datetime) -> bool:
    return start - now < CANCELLATION_WINDOW


def effective_status(status: BookingStatus, end: datetime, now: datetime) -> BookingStatus:
    """A booked session whose end has passed is completed."""
    if status == BOOKED and end <= now:
        return COMPLETED
    return status


def is_cancellable(status: BookingStatus, start: datetime, end: datetime, now: datetime) -> bool:
    return effective_status(status, end, now) == BOOKED and start > now


def check_cancellation(
    status: BookingStatus, start: datetime, end: datetime, now: datetime, acknowledge_late: bool
) -> None:
    """Raise RuleViolation unless the booking may be cancelled now."""
    current = effective_status(status, end, now)
    if current == CANCELLED:
        raise RuleViolation("booking_already_cancelled", "This booking is already cancelled.")
    if current == COMPLETED:
        raise RuleViolation("booking_completed", "A completed session cannot be cancelled.")
    if start <= now:
        raise RuleViolation(
            "booking_started", "This session has already started and can no longer be cancelled."
        )
    if inside_cancellation_window(start, now) and not acknowledge_late:
        raise RuleViolation(
            "late_cancellation_not_acknowledged",
            "This session starts in less than 24 hours. " + LATE_POLICY
            + " Send acknowledge_late: true to cancel anyway.",
        )


def cancellation_message(payment_method: str, late: bool, invoice_withdrawn: bool) -> str:
    """What the client is told after a successful cancellation."""
    if late:
        kept = "a fee may apply"
        if payment_method == CREDITS:
            kept = "the credit stays counted for now"
        return (
            "The session is cancelled. It was less than 24 hours before the start, so "
            f"{kept}: the professional decides whether the late cancellation is charged."
        )
    if payment_method == CREDITS:
        return "The session is cancelled and the credit is back in the allowance."
    if invoice_withdrawn:
        return "The session is cancelled and its unpaid invoice is withdrawn."
    return "The session is cancelled; any refund is arranged with the professional."


def on_slot_grid(value: datetime) -> datetime:
    """The latest slot start at or before `value`: slots start on the hour (see `open_slots`)."""
    return value.replace(minute=0, second=0, microsecond=0)


def open_slots(
    windows: Iterable[Window],
    duration_minutes: int,
    busy: Iterable[tuple[datetime, datetime]],
    now: datetime,
    days: int,
) -> list[tuple[datetime, datetime]]:
    """Every open slot, ordered by start.

    Slots start on the hour inside a window and end inside it, start at least MIN_NOTICE from
    now and before now + days, and do not overlap a busy (booked) interval.
    """
    windows, busy = list(windows), list(busy)
    length = timedelta(minutes=duration_minutes)
    earliest, horizon = now + MIN_NOTICE, now + timedelta(days=days)
    slots = []
    day = now.date()
    while day <= horizon.date():
        for window in (w for w in windows if w.weekday == day.weekday()):
            window_end = datetime(day.year, day.month, day.day, window.end_hour, tzinfo=UTC)
            for hour in range(window.start_hour, window.end_hour):
                start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
                end = start + length
                if end > window_end:
                    break
                if start < earliest or start >= horizon:
                    continue
                if any(start < b_end and b_start < end for b_start, b_end in busy):
                    continue
                slots.append((start, end))
        day += timedelta(days=1)
    return sorted(slots)

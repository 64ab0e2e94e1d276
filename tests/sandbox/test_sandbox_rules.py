"""The pure business rules (sandbox/rules.py), without a server."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from sandbox import rules
from sandbox.rules import RuleViolation, Window

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday
WEEKDAYS_9_TO_16 = [Window(day, 9, 16) for day in range(5)]


@dataclass
class FakeBooking:
    payment_method: rules.PaymentMethod = rules.CREDITS
    status: rules.BookingStatus = rules.BOOKED
    late_cancellation: bool = False
    booked_at: datetime = NOW - timedelta(days=1)


def test_booked_and_completed_credit_sessions_use_one_credit_each():
    """Credit sessions that are booked or completed count; self-paid ones do not."""
    bookings = [FakeBooking(), FakeBooking(status=rules.COMPLETED),
                FakeBooking(payment_method=rules.SELF_PAID)]
    assert rules.credits_used(bookings, NOW) == 2


def test_cancelling_gives_the_credit_back_unless_late():
    """A cancelled credit session frees its credit; a late-cancelled one keeps it counted."""
    bookings = [FakeBooking(status=rules.CANCELLED),
                FakeBooking(status=rules.CANCELLED, late_cancellation=True)]
    assert rules.credits_used(bookings, NOW) == 1


def test_credits_booked_in_another_year_do_not_count():
    """Allowances are per calendar year of booking."""
    last_year = FakeBooking(booked_at=datetime(2025, 12, 30, tzinfo=UTC))
    assert rules.credits_used([last_year], NOW) == 0


def test_remaining_is_never_negative():
    assert rules.credits_remaining(6, 7) == 0
    assert rules.credits_remaining(6, 2) == 4


def test_period_ends_on_the_last_day_of_the_year():
    assert rules.period_end(NOW).isoformat() == "2026-12-31"


@pytest.mark.parametrize(("requested", "remaining", "expected"), [
    (None, 2, rules.CREDITS), (None, 0, rules.SELF_PAID), ("self", 3, rules.SELF_PAID),
    ("credits", 1, rules.CREDITS),
])
def test_payment_is_credits_while_any_remain_unless_self_is_asked(requested, remaining, expected):
    assert rules.choose_payment_method(requested, remaining) == expected


def test_asking_for_credits_with_none_left_is_refused():
    with pytest.raises(RuleViolation) as caught:
        rules.choose_payment_method("credits", 0)
    assert caught.value.code == "no_credits_left"


def test_the_cancellation_window_is_the_24_hours_before_the_start():
    assert rules.inside_cancellation_window(NOW + timedelta(hours=23, minutes=59), NOW)
    assert not rules.inside_cancellation_window(NOW + timedelta(hours=24), NOW)


@pytest.mark.parametrize(("status", "start_in", "acknowledged", "code"), [
    (rules.CANCELLED, timedelta(days=3), False, "booking_already_cancelled"),
    (rules.COMPLETED, timedelta(days=-3), False, "booking_completed"),
    (rules.BOOKED, timedelta(days=-3), False, "booking_completed"),  # ended: completed
    (rules.BOOKED, timedelta(minutes=-10), False, "booking_started"),
    (rules.BOOKED, timedelta(hours=20), False, "late_cancellation_not_acknowledged"),
])
def test_cancellation_is_refused_with_a_reason(status, start_in, acknowledged, code):
    start = NOW + start_in
    with pytest.raises(RuleViolation) as caught:
        rules.check_cancellation(status, start, start + timedelta(minutes=50), NOW, acknowledged)
    assert caught.value.code == code


def test_a_late_cancellation_is_allowed_once_acknowledged():
    start = NOW + timedelta(hours=20)
    rules.check_cancellation(rules.BOOKED, start, start + timedelta(minutes=45), NOW, True)


def test_a_late_credit_cancellation_message_says_the_professional_decides():
    message = rules.cancellation_message(rules.CREDITS, late=True, invoice_withdrawn=False)
    assert "professional decides" in message


def test_slots_start_on_the_hour_fit_the_window_and_are_an_hour_away():
    """Monday 09:30: the 10:00 slot is too soon; 15:00 is the last 50-minute slot before 16:00."""
    slots = rules.open_slots(WEEKDAYS_9_TO_16, 50, [], NOW, days=1)
    monday = [start.hour for start, _ in slots if start.date() == NOW.date()]
    assert monday == [11, 12, 13, 14, 15]
    assert all(start.minute == 0 and end - start == timedelta(minutes=50) for start, end in slots)


def test_slots_stop_at_the_horizon_and_skip_weekends():
    slots = rules.open_slots(WEEKDAYS_9_TO_16, 50, [], NOW, days=7)
    assert all(start < NOW + timedelta(days=7) for start, _ in slots)
    assert all(start.weekday() < 5 for start, _ in slots)


def test_slots_overlapping_a_booking_are_not_open():
    busy_start = datetime(2026, 3, 3, 12, 30, tzinfo=UTC)
    busy = [(busy_start, busy_start + timedelta(minutes=45))]
    slots = rules.open_slots(WEEKDAYS_9_TO_16, 50, busy, NOW, days=2)
    hours_on_tuesday = [s.hour for s, _ in slots if s.date() == busy_start.date()]
    assert hours_on_tuesday == [9, 10, 11, 14, 15]


def test_a_booked_session_whose_end_has_passed_is_completed():
    assert rules.effective_status(rules.BOOKED, NOW - timedelta(minutes=1), NOW) == rules.COMPLETED
    assert rules.effective_status(rules.BOOKED, NOW + timedelta(minutes=1), NOW) == rules.BOOKED

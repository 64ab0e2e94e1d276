"""Open slots (GET /api/v1/professionals/{id}/availability). The sandbox's now: Monday 09:30 UTC."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest


def starts(slots: list[dict]) -> list[str]:
    return [s["start"] for s in slots]


def test_slots_start_on_the_hour_at_least_an_hour_from_now_ordered_and_at_most_50(api, now):
    slots = api.slots("p-sara", service_id="s-sara-therapy")
    assert len(slots) == 50
    assert starts(slots) == sorted(starts(slots))
    assert slots[0] == {"start": "2026-03-02T11:00:00Z", "end": "2026-03-02T11:50:00Z",
                        "service_id": "s-sara-therapy", "inside_cancellation_window": True}
    for slot in slots:
        start = datetime.fromisoformat(slot["start"])
        assert start >= now + timedelta(hours=1) and start.minute == 0 and start.weekday() < 5


def test_slots_are_inside_each_professional_s_hours(api):
    maya = api.slots("p-maya", days=3)
    assert {s["start"][11:16] for s in maya} == {"13:00", "14:00", "15:00", "16:00"}
    assert all(s["end"][11:16] <= "17:00" for s in maya)
    jon = api.slots("p-jon", days=3)
    assert {s["start"][11:16] for s in jon} == {"10:00", "11:00", "12:00", "13:00", "14:00"}


def test_a_booked_session_blocks_its_slot(api):
    """Anna's seeded session with Sara on Thursday at 10:00 is not offered; 09:00 and 11:00 are."""
    thursday = starts(api.slots("p-sara", days=5))
    assert "2026-03-05T10:00:00Z" not in thursday
    assert {"2026-03-05T09:00:00Z", "2026-03-05T11:00:00Z"} <= set(thursday)


def test_booking_a_slot_removes_it_and_cancelling_frees_it(api):
    start = "2026-03-04T10:00:00Z"
    assert start in starts(api.slots("p-jon"))
    booking = api.book("c-chloe", {"professional_id": "p-jon", "service_id": "s-jon-physio",
                                   "start": start}).json()
    assert start not in starts(api.slots("p-jon"))
    api.post(f"/api/v1/clients/c-chloe/bookings/{booking['id']}/cancel")
    assert start in starts(api.slots("p-jon"))


def test_days_limits_the_horizon(api, now):
    slots = api.slots("p-sara", days=1)
    assert starts(slots)[-1] == "2026-03-03T09:00:00Z"  # Tuesday 09:00 < Monday 09:30 + 1 day
    assert all(datetime.fromisoformat(s["start"]) < now + timedelta(days=1) for s in slots)


def test_inside_cancellation_window_marks_slots_within_24_hours(api, now):
    for slot in api.slots("p-sara", days=3):
        soon = datetime.fromisoformat(slot["start"]) - now < timedelta(hours=24)
        assert slot["inside_cancellation_window"] is soon


def test_service_id_is_optional(api):
    assert api.slots("p-jon") == api.slots("p-jon", service_id="s-jon-physio")


@pytest.mark.parametrize(("path", "code"), [
    ("/api/v1/professionals/p-nobody/availability", "professional_not_found"),
    ("/api/v1/professionals/p-sara/availability?service_id=s-nothing", "service_not_found"),
    ("/api/v1/professionals/p-sara/availability?service_id=s-jon-physio", "service_not_found"),
])
def test_unknown_professional_or_service_is_404(api, path, code):
    response = api.get(path)
    assert response.status_code == 404 and response.json()["error"]["code"] == code


@pytest.mark.parametrize("days", ["0", "29", "-3", "abc", "1.5", "9" * 50])
def test_days_outside_1_to_28_is_422_naming_days(api, days):
    response = api.get("/api/v1/professionals/p-sara/availability", params={"days": days})
    assert response.status_code == 422
    assert "'days'" in response.json()["error"]["message"]

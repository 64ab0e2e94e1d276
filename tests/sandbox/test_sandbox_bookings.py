"""Quoting, booking, listing and cancelling sessions; on SQLite and on PostgreSQL.

The sandbox's now is Monday 2 March 2026, 09:30 UTC. Seeded: Anna's credit session with Sara on
Thursday 10:00 (b-anna-2), Dan's credit session with Jón in 20 hours (b-dan-5), Ben's completed
sessions (b-ben-1..7).
"""
from __future__ import annotations

import pytest

from tests.helpers.postgres import BOTH_BACKENDS

SARA_WEDNESDAY = {"professional_id": "p-sara", "service_id": "s-sara-therapy",
                  "start": "2026-03-04T10:00:00Z"}
JON_WEDNESDAY = {"professional_id": "p-jon", "service_id": "s-jon-physio",
                 "start": "2026-03-04T11:00:00Z"}


@pytest.fixture(scope="module", params=BOTH_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def quote(api, client_id: str, body: dict):
    return api.post(f"/api/v1/clients/{client_id}/bookings/quote", body)


def cancel(api, client_id: str, booking_id: str, acknowledge_late: bool | None = None):
    body = None if acknowledge_late is None else {"acknowledge_late": acknowledge_late}
    return api.post(f"/api/v1/clients/{client_id}/bookings/{booking_id}/cancel", body)


def test_quote_with_credits_left_pays_with_a_credit_and_changes_nothing(api):
    response = quote(api, "c-anna", SARA_WEDNESDAY)
    assert response.status_code == 200
    assert response.json() == {
        "professional": {"id": "p-sara", "name": "Dr. Sara Hansen"},
        "service": {"id": "s-sara-therapy", "name": "Individual therapy", "duration_minutes": 50,
                    "price": {"amount": 18000, "currency": "ISK"}},
        "start": "2026-03-04T10:00:00Z", "end": "2026-03-04T10:50:00Z",
        "payment_method": "credits", "price": {"amount": 0, "currency": "ISK"},
        "credits_remaining_after": 3, "inside_cancellation_window": False,
    }
    assert api.credits("c-anna")["remaining"] == 4
    assert api.outbox() == []


def test_quote_without_credits_is_self_paid_at_the_service_price(api):
    body = quote(api, "c-ben", JON_WEDNESDAY).json()
    assert body["payment_method"] == "self_paid"
    assert body["price"] == {"amount": 12000, "currency": "ISK"}
    assert body["credits_remaining_after"] == 0


def test_payment_self_is_self_paid_even_with_credits_left(api):
    body = quote(api, "c-anna", {**SARA_WEDNESDAY, "payment": "self"}).json()
    assert (body["payment_method"], body["credits_remaining_after"]) == ("self_paid", 4)


def test_payment_credits_with_none_left_is_409_no_credits_left(api):
    for call in (lambda b: quote(api, "c-ben", b), lambda b: api.book("c-ben", b)):
        response = call({**JON_WEDNESDAY, "payment": "credits"})
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "no_credits_left"


@pytest.mark.parametrize("start", [
    "2026-03-05T10:00:00Z",  # Anna's session with Sara
    "2026-03-04T10:30:00Z",  # not on the hour
    "2026-03-07T10:00:00Z",  # Saturday
    "2026-03-04T16:00:00Z",  # after Sara's hours
    "2026-03-02T10:00:00Z",  # less than an hour from now
    "2026-02-27T10:00:00Z",  # in the past
    "2026-04-15T10:00:00Z",  # beyond 28 days
])
def test_a_start_that_is_not_an_open_slot_is_409_slot_unavailable(api, start):
    for response in (quote(api, "c-chloe", {**SARA_WEDNESDAY, "start": start}),
                     api.book("c-chloe", {**SARA_WEDNESDAY, "start": start})):
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "slot_unavailable"


def test_booking_with_credits_uses_one_and_lists_the_session(api):
    response = api.book("c-anna", SARA_WEDNESDAY)
    assert response.status_code == 201
    booking = response.json()
    assert booking["status"] == "booked" and booking["payment_method"] == "credits"
    assert booking["invoice_id"] is None and booking["cancellable"] is True
    upcoming = api.get("/api/v1/clients/c-anna/bookings").json()["bookings"]
    assert booking["id"] in [b["id"] for b in upcoming]
    assert api.credits("c-anna")["remaining"] == 3


def test_booking_confirms_by_e_mail_to_the_client_and_the_professional(api):
    api.book("c-anna", SARA_WEDNESDAY)
    [to_client] = api.outbox("anna@northwind.example")
    assert "confirmed" in to_client["subject"] and "Dr. Sara Hansen" in to_client["subject"]
    assert "Wednesday 4 March 2026, 10:00 Reykjavik time" in to_client["body"]
    assert len(api.outbox("sara.hansen@professionals.example")) == 1


def test_the_client_reads_the_times_in_e_mails_on_their_own_clock(api):
    """Chloe lives in Paris (UTC+1 in March): her e-mails say 11:00 Paris time for a session at
    10:00 UTC; the professional, who has no time zone on record, reads UTC. Ben's invoice e-mail
    and payment page are on London's clock."""
    booking = api.book("c-chloe", SARA_WEDNESDAY).json()
    [confirmed] = api.outbox("chloe@globex.example")
    assert "Wednesday 4 March 2026, 11:00 Paris time" in confirmed["body"]
    assert "UTC" not in confirmed["body"]
    [to_sara] = api.outbox("sara.hansen@professionals.example")
    assert "Wednesday 4 March 2026, 10:00 UTC" in to_sara["body"]
    assert cancel(api, "c-chloe", booking["id"]).status_code == 200
    cancelled = next(e for e in api.outbox("chloe@globex.example")
                     if "cancelled" in e["subject"])
    assert "on Wednesday 4 March 2026, 11:00 Paris time is cancelled" in cancelled["body"]

    invoiced = api.book("c-ben", JON_WEDNESDAY).json()
    invoice_mail = next(e for e in api.outbox("ben@northwind.example")
                        if "Invoice" in e["subject"])
    assert "Wednesday 4 March 2026, 11:00 London time" in invoice_mail["body"]
    invoice = next(i for i in api.get("/api/v1/clients/c-ben/invoices").json()["invoices"]
                   if i["id"] == invoiced["invoice_id"])
    page = api.get(invoice["payment_url"].removeprefix(api.base_url)).text
    assert "Wednesday 4 March 2026, 11:00 London time" in page


def test_the_professional_s_e_mail_puts_the_right_article_before_the_service(api):
    """"booked an Individual therapy", "booked a Physiotherapy session" (issue 11)."""
    api.book("c-anna", SARA_WEDNESDAY)
    api.book("c-ben", JON_WEDNESDAY)
    [to_sara] = api.outbox("sara.hansen@professionals.example")
    [to_jon] = api.outbox("jon.einarsson@professionals.example")
    assert "Anna Jónsdóttir booked an Individual therapy with you" in to_sara["body"]
    assert "Ben Carter booked a Physiotherapy session with you" in to_jon["body"]


def test_ben_s_booking_is_self_paid_with_an_unpaid_invoice_and_e_mails(api):
    booking = api.book("c-ben", JON_WEDNESDAY).json()
    assert booking["payment_method"] == "self_paid"
    assert booking["price"] == {"amount": 12000, "currency": "ISK"}
    invoices = api.get("/api/v1/clients/c-ben/invoices").json()["invoices"]
    new = next(i for i in invoices if i["booking_id"] == booking["id"])
    assert new["id"] == booking["invoice_id"] and new["status"] == "unpaid"
    assert new["number"] == "INV-2026-0042"
    assert new["payment_url"] == f"{api.base_url}/pay/{new['id']}"
    subjects = [e["subject"] for e in api.outbox("ben@northwind.example")]
    assert any("Booking confirmed" in s for s in subjects)
    assert any("Invoice INV-2026-0042" in s for s in subjects)
    assert api.credits("c-ben")["remaining"] == 0


def test_dan_s_last_credit_goes_on_the_first_booking_then_he_pays_himself(api):
    first = api.book("c-dan", JON_WEDNESDAY).json()
    second = api.book("c-dan", {**JON_WEDNESDAY, "start": "2026-03-04T12:00:00Z"}).json()
    assert (first["payment_method"], second["payment_method"]) == ("credits", "self_paid")
    assert api.credits("c-dan")["remaining"] == 0


def test_a_slot_booked_by_someone_else_is_409(api):
    assert api.book("c-anna", SARA_WEDNESDAY).status_code == 201
    response = api.book("c-chloe", SARA_WEDNESDAY)
    assert response.status_code == 409 and response.json()["error"]["code"] == "slot_unavailable"


def test_bookings_lists_upcoming_past_and_all(api):
    def ids(status):
        response = api.get("/api/v1/clients/c-dan/bookings", params={"status": status})
        return [b["id"] for b in response.json()["bookings"]]
    assert ids("upcoming") == ids(None) == ["b-dan-5"]
    assert ids("past") == ["b-dan-1", "b-dan-2", "b-dan-3", "b-dan-4"]
    assert sorted(ids("all")) == ["b-dan-1", "b-dan-2", "b-dan-3", "b-dan-4", "b-dan-5"]


def test_cancelling_more_than_24_hours_ahead_returns_the_credit(api):
    response = cancel(api, "c-anna", "b-anna-2")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled" and body["cancellable"] is False
    assert "credit is back" in body["message"]
    assert api.credits("c-anna")["remaining"] == 5
    assert api.get("/api/v1/clients/c-anna/bookings").json()["bookings"] == []
    assert any("cancelled" in e["subject"] for e in api.outbox("anna@northwind.example"))


def test_cancelling_inside_24_hours_needs_acknowledge_late(api):
    """Dan's session in 20 hours: refused with the policy, then cancelled once acknowledged."""
    refused = cancel(api, "c-dan", "b-dan-5", acknowledge_late=False)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "late_cancellation_not_acknowledged"
    assert "24 hours" in error["message"] and "professional" in error["message"]
    assert cancel(api, "c-dan", "b-dan-5").status_code == 409  # no body: not acknowledged

    accepted = cancel(api, "c-dan", "b-dan-5", acknowledge_late=True)
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "cancelled"
    assert "professional decides" in accepted.json()["message"]
    assert api.credits("c-dan")["remaining"] == 1  # a late cancellation keeps the credit counted


def test_a_completed_session_cannot_be_cancelled(api):
    response = cancel(api, "c-ben", "b-ben-7", acknowledge_late=True)
    assert response.status_code == 409 and response.json()["error"]["code"] == "booking_completed"


def test_cancelling_twice_is_409_booking_already_cancelled(api):
    assert cancel(api, "c-anna", "b-anna-2").status_code == 200
    response = cancel(api, "c-anna", "b-anna-2")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "booking_already_cancelled"


def test_another_client_s_booking_is_404(api):
    response = cancel(api, "c-ben", "b-anna-2")
    assert response.status_code == 404 and response.json()["error"]["code"] == "booking_not_found"
    assert cancel(api, "c-anna", "b-nothing").status_code == 404


def test_cancelling_a_self_paid_session_in_time_withdraws_its_unpaid_invoice(api):
    booking = api.book("c-ben", JON_WEDNESDAY).json()
    body = cancel(api, "c-ben", booking["id"]).json()
    assert body["invoice_id"] is None and "withdrawn" in body["message"]
    numbers = [i["number"] for i in api.get("/api/v1/clients/c-ben/invoices").json()["invoices"]]
    assert numbers == ["INV-2026-0041"]

"""Booking what the client was quoted: `payment` and `expected_price` sent back with the booking.

When the quote no longer holds (the last credit went in another tab, the professional changed the
price) the booking is refused with a 409 and a stable code, and nothing is booked, invoiced or
e-mailed; the same Idempotency-Key may then book the new offer, once. SQLite and PostgreSQL.

The sandbox's now is Monday 2 March 2026, 09:30 UTC. Dan has 1 of 6 credits left, Ben none.
"""
from __future__ import annotations

import pytest

from tests.helpers.postgres import BOTH_BACKENDS
from tests.helpers.sandbox_api import set_service_price

JON_WED_10 = {"professional_id": "p-jon", "service_id": "s-jon-physio",
              "start": "2026-03-04T10:00:00Z"}
JON_WED_11 = {**JON_WED_10, "start": "2026-03-04T11:00:00Z"}
A_CREDIT = {"amount": 0, "currency": "ISK"}
JON_PRICE = {"amount": 12000, "currency": "ISK"}
DAN = "dan@northwind.example"


@pytest.fixture(scope="module", params=BOTH_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def quote(api, client_id: str, body: dict):
    return api.post(f"/api/v1/clients/{client_id}/bookings/quote", body)


def bookings_at(api, client_id: str, start: str) -> list[dict]:
    everything = api.get(f"/api/v1/clients/{client_id}/bookings", params={"status": "all"})
    return [b for b in everything.json()["bookings"] if b["start"] == start]


def invoices(api, client_id: str) -> list[dict]:
    return api.get(f"/api/v1/clients/{client_id}/invoices",
                   params={"status": "all"}).json()["invoices"]


def spend_dan_s_last_credit(api) -> None:
    """What a second tab does: another booking takes Dan's one remaining credit."""
    assert api.book("c-dan", JON_WED_11).json()["payment_method"] == "credits"
    assert api.credits("c-dan")["remaining"] == 0


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_a_quoted_credit_that_went_meanwhile_is_409_no_credits_left_and_books_nothing(api):
    offer = quote(api, "c-dan", JON_WED_10).json()
    assert (offer["payment_method"], offer["price"]) == ("credits", A_CREDIT)
    spend_dan_s_last_credit(api)
    emails_before = len(api.outbox(DAN))
    response = api.book("c-dan", {**JON_WED_10, "payment": "credits", "expected_price": A_CREDIT})
    assert response.status_code == 409 and error_code(response) == "no_credits_left"
    assert "own expense" in response.json()["error"]["message"]
    assert bookings_at(api, "c-dan", JON_WED_10["start"]) == []
    assert invoices(api, "c-dan") == []
    assert len(api.outbox(DAN)) == emails_before


def test_after_the_refusal_the_same_key_books_the_self_paid_offer_once(api):
    """The refusal is not remembered: the attempt's key books the new offer, and replays it."""
    spend_dan_s_last_credit(api)
    key = "dan-quoted-terms-0001"
    credits = {**JON_WED_10, "payment": "credits", "expected_price": A_CREDIT}
    assert error_code(api.book("c-dan", credits, key=key)) == "no_credits_left"
    offer = quote(api, "c-dan", JON_WED_10).json()
    assert (offer["payment_method"], offer["price"]) == ("self_paid", JON_PRICE)
    self_paid = {**JON_WED_10, "payment": "self", "expected_price": offer["price"]}
    first = api.book("c-dan", self_paid, key=key)
    again = api.book("c-dan", self_paid, key=key)
    assert first.status_code == 201 and first.json()["payment_method"] == "self_paid"
    assert first.json()["price"] == JON_PRICE and first.json()["invoice_id"]
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert [b["id"] for b in bookings_at(api, "c-dan", JON_WED_10["start"])] == [first.json()["id"]]
    assert [i["booking_id"] for i in invoices(api, "c-dan")] == [first.json()["id"]]


def test_a_credit_price_without_a_payment_is_409_price_changed_once_the_credit_went(api):
    """An older client that sends only the quoted price is protected as well."""
    spend_dan_s_last_credit(api)
    response = api.book("c-dan", {**JON_WED_10, "expected_price": A_CREDIT})
    assert response.status_code == 409 and error_code(response) == "price_changed"
    message = response.json()["error"]["message"]
    assert "12,000 ISK" in message and "0 ISK" in message
    assert bookings_at(api, "c-dan", JON_WED_10["start"]) == []


def test_a_price_changed_since_the_quote_is_409_price_changed(api, sandbox_database):
    offer = quote(api, "c-ben", JON_WED_10).json()
    assert offer["price"] == JON_PRICE
    set_service_price(sandbox_database, "s-jon-physio", 13500)
    accepted = {**JON_WED_10, "payment": "self", "expected_price": offer["price"]}
    invoices_before = invoices(api, "c-ben")
    for response in (quote(api, "c-ben", accepted), api.book("c-ben", accepted)):
        assert response.status_code == 409 and error_code(response) == "price_changed"
        message = response.json()["error"]["message"]
        assert "13,500 ISK" in message and "12,000 ISK" in message
    assert bookings_at(api, "c-ben", JON_WED_10["start"]) == []
    assert invoices(api, "c-ben") == invoices_before
    new_offer = quote(api, "c-ben", JON_WED_10).json()
    booked = api.book("c-ben", {**accepted, "expected_price": new_offer["price"]})
    assert booked.status_code == 201
    assert booked.json()["price"] == {"amount": 13500, "currency": "ISK"}


def test_a_price_in_another_currency_is_409_price_changed(api):
    response = api.book("c-ben", {**JON_WED_10, "payment": "self",
                                  "expected_price": {"amount": 12000, "currency": "GBP"}})
    assert response.status_code == 409 and error_code(response) == "price_changed"


def test_an_expected_price_written_differently_is_the_same_request(api):
    """Maya's 120 GBP: `120` and `120.0` are one request (a replay); 120.5 is another price."""
    first_slot, second_slot = (s["start"] for s in api.slots("p-maya")[:2])
    maya = {"professional_id": "p-maya", "service_id": "s-maya-coaching", "payment": "self"}
    body = {**maya, "start": first_slot, "expected_price": {"amount": 120, "currency": "GBP"}}
    first = api.book("c-ben", body, key="ben-gbp-terms-0001")
    same = {**body, "expected_price": {"amount": 120.0, "currency": "GBP"}}
    again = api.book("c-ben", same, key="ben-gbp-terms-0001")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    other = {**maya, "start": second_slot, "expected_price": {"amount": 120.5, "currency": "GBP"}}
    assert error_code(api.book("c-ben", other)) == "price_changed"


def test_the_same_key_with_another_expected_price_is_idempotency_key_reused(api):
    body = {**JON_WED_10, "payment": "self", "expected_price": JON_PRICE}
    assert api.book("c-ben", body, key="ben-terms-reused-0001").status_code == 201
    other = {**body, "expected_price": {"amount": 12001, "currency": "ISK"}}
    response = api.book("c-ben", other, key="ben-terms-reused-0001")
    assert response.status_code == 409 and error_code(response) == "idempotency_key_reused"
    assert len(bookings_at(api, "c-ben", JON_WED_10["start"])) == 1


@pytest.mark.parametrize("expected_price", [
    {"amount": "12000", "currency": "ISK"},
    {"amount": True, "currency": "ISK"},
    {"amount": -1, "currency": "ISK"},
    {"amount": 12000, "currency": "isk"},
    {"amount": 12000},
    {"amount": 12000, "currency": "ISK", "discount": 5},
    12000,
])
def test_a_malformed_expected_price_is_422_naming_it(api, expected_price):
    response = api.book("c-ben", {**JON_WED_10, "expected_price": expected_price})
    assert response.status_code == 422 and error_code(response) == "invalid_request"
    assert "'expected_price" in response.json()["error"]["message"]
    assert bookings_at(api, "c-ben", JON_WED_10["start"]) == []

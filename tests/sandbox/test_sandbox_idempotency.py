"""Idempotency-Key on POST bookings and invoice re-sends: replays, reuse, concurrent duplicates
(SQLite, PostgreSQL)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.helpers.postgres import BOTH_BACKENDS

SLOT = {"professional_id": "p-sara", "service_id": "s-sara-therapy",
        "start": "2026-03-04T10:00:00Z"}
OTHER_SLOT = {**SLOT, "start": "2026-03-04T11:00:00Z"}


@pytest.fixture(scope="module", params=BOTH_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def book_in_thread(api, client_id: str, body: dict, key: str) -> requests.Response:
    """Like api.book, without sharing its requests.Session between threads."""
    headers = {**api.http.headers, "Idempotency-Key": key}
    return requests.post(f"{api.base_url}/api/v1/clients/{client_id}/bookings", json=body,
                         headers=headers, timeout=30)


def upcoming_ids(api, client_id: str) -> list[str]:
    return [b["id"] for b in api.get(f"/api/v1/clients/{client_id}/bookings").json()["bookings"]]


def test_the_same_key_and_body_replays_the_first_response(api):
    first = api.book("c-chloe", SLOT, key="key-replay-0001")
    again = api.book("c-chloe", SLOT, key="key-replay-0001")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert upcoming_ids(api, "c-chloe") == [first.json()["id"]]
    assert api.credits("c-chloe")["remaining"] == 3
    assert len(api.outbox("chloe@globex.example")) == 1


def test_the_same_start_written_with_an_offset_is_the_same_request(api):
    first = api.book("c-chloe", SLOT, key="key-offset-0001")
    same = {**SLOT, "start": "2026-03-04T11:00:00+01:00"}
    again = api.book("c-chloe", same, key="key-offset-0001")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_the_same_key_with_another_body_is_409_idempotency_key_reused(api):
    assert api.book("c-chloe", SLOT, key="key-reused-0001").status_code == 201
    response = api.book("c-chloe", OTHER_SLOT, key="key-reused-0001")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert len(upcoming_ids(api, "c-chloe")) == 1


def test_keys_are_scoped_to_the_client(api):
    assert api.book("c-chloe", SLOT, key="key-shared-0001").status_code == 201
    assert api.book("c-anna", OTHER_SLOT, key="key-shared-0001").status_code == 201


def test_a_refused_request_is_not_remembered(api):
    """A 409 is not stored: the same key can then book an open slot."""
    taken = {**SLOT, "start": "2026-03-05T10:00:00Z"}  # Anna's session with Sara
    assert api.book("c-chloe", taken, key="key-retry-0001").status_code == 409
    assert api.book("c-chloe", SLOT, key="key-retry-0001").status_code == 201


@pytest.mark.parametrize(("headers", "words"), [
    ({}, "'Idempotency-Key' is required"),
    ({"Idempotency-Key": "short"}, "at least 8"),
    ({"Idempotency-Key": "k" * 129}, "at most 128"),
])
def test_a_missing_or_malformed_key_is_422(api, headers, words):
    response = api.post("/api/v1/clients/c-chloe/bookings", SLOT, headers=headers)
    assert response.status_code == 422
    assert words in response.json()["error"]["message"]


def test_concurrent_duplicates_make_exactly_one_booking(api):
    """Eight identical requests at once: one 201, seven replays of it, one booking, one e-mail."""
    barrier = threading.Barrier(8)

    def post(_: int) -> requests.Response:
        barrier.wait()
        return book_in_thread(api, "c-chloe", SLOT, "key-concurrent-0001")

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(post, range(8)))
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert upcoming_ids(api, "c-chloe") == [responses[0].json()["id"]]
    assert len(api.outbox("chloe@globex.example")) == 1


def test_concurrent_bookings_of_one_slot_by_two_clients_give_it_to_one(api):
    barrier = threading.Barrier(2)

    def post(client_id: str) -> requests.Response:
        barrier.wait()
        return book_in_thread(api, client_id, SLOT, f"key-{client_id}-0001")

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(post, ["c-anna", "c-chloe"]))
    assert sorted(r.status_code for r in responses) == [201, 409]
    assert "slot_unavailable" in [r.json().get("error", {}).get("code") for r in responses]


def test_concurrent_bookings_by_one_client_never_overspend_credits(api):
    """Dan has one credit: two different bookings at once, exactly one is paid with it."""
    barrier = threading.Barrier(2)
    jon = {"professional_id": "p-jon", "service_id": "s-jon-physio"}

    def post(start: str) -> requests.Response:
        barrier.wait()
        return book_in_thread(api, "c-dan", {**jon, "start": start}, f"key-{start}")

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(post, ["2026-03-04T10:00:00Z", "2026-03-04T11:00:00Z"]))
    assert [r.status_code for r in responses] == [201, 201]
    assert sorted(r.json()["payment_method"] for r in responses) == ["credits", "self_paid"]
    assert api.credits("c-dan")["remaining"] == 0


# -- re-sending invoices -----------------------------------------------------------------------

BEN = "ben@northwind.example"
JON_FOR_BEN = {"professional_id": "p-jon", "service_id": "s-jon-physio",
               "start": "2026-03-04T11:00:00Z"}


def resend_in_thread(api, path: str, key: str) -> requests.Response:
    headers = {**api.http.headers, "Idempotency-Key": key}
    return requests.post(f"{api.base_url}{path}", headers=headers, timeout=30)


@pytest.mark.parametrize("invoice_id", ["inv-ben-1", None], ids=["one", "every-unpaid"])
def test_a_repeated_resend_replays_the_first_answer_and_sends_one_e_mail(api, invoice_id):
    first = api.resend("c-ben", invoice_id, key="key-resend-0001")
    again = api.resend("c-ben", invoice_id, key="key-resend-0001")
    assert first.status_code == 200 and "Idempotent-Replayed" not in first.headers
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len(api.outbox(BEN)) == 1


def test_a_new_key_resends_again(api):
    assert api.resend("c-ben", "inv-ben-1", key="key-resend-0002").status_code == 200
    assert api.resend("c-ben", "inv-ben-1", key="key-resend-0003").status_code == 200
    assert len(api.outbox(BEN)) == 2


def test_a_resend_key_used_for_another_request_is_409_idempotency_key_reused(api):
    """Another invoice, every unpaid one, or a booking: the key belongs to the first request."""
    assert api.book("c-ben", JON_FOR_BEN).status_code == 201
    second = next(i["id"] for i in api.get("/api/v1/clients/c-ben/invoices").json()["invoices"]
                  if i["id"] != "inv-ben-1")
    assert api.resend("c-ben", "inv-ben-1", key="key-resend-0004").status_code == 200
    emails = len(api.outbox(BEN))
    for response in (api.resend("c-ben", second, key="key-resend-0004"),
                     api.resend("c-ben", None, key="key-resend-0004"),
                     api.book("c-ben", SLOT, key="key-resend-0004")):
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert len(api.outbox(BEN)) == emails
    booked = api.book("c-chloe", SLOT, key="key-chloe-booked-0001")
    assert booked.status_code == 201
    reused = api.resend("c-chloe", None, key="key-chloe-booked-0001")
    assert reused.json()["error"]["code"] == "idempotency_key_reused"


def test_a_refused_resend_is_not_remembered(api):
    """404 and 409 are not stored: the same key then re-sends."""
    assert api.resend("c-ben", "inv-nothing", key="key-resend-0005").status_code == 404
    assert api.resend("c-anna", None, key="key-resend-0006").status_code == 409
    assert api.resend("c-ben", "inv-ben-1", key="key-resend-0005").status_code == 200
    assert len(api.outbox(BEN)) == 1


@pytest.mark.parametrize("path", ["/api/v1/clients/c-ben/invoices/inv-ben-1/resend",
                                  "/api/v1/clients/c-ben/invoices/resend"])
@pytest.mark.parametrize(("headers", "words"), [
    ({}, "'Idempotency-Key' is required"),
    ({"Idempotency-Key": "short"}, "at least 8"),
])
def test_a_resend_without_a_good_key_is_422_and_sends_nothing(api, path, headers, words):
    response = api.post(path, headers=headers)
    assert response.status_code == 422
    assert words in response.json()["error"]["message"]
    assert api.outbox(BEN) == []


def test_concurrent_duplicate_resends_send_exactly_one_e_mail(api):
    """A double-click times four: eight identical re-sends at once, one e-mail, one answer."""
    barrier = threading.Barrier(8)
    path = "/api/v1/clients/c-ben/invoices/inv-ben-1/resend"

    def post(_: int) -> requests.Response:
        barrier.wait()
        return resend_in_thread(api, path, "key-resend-concurrent")

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(post, range(8)))
    assert [r.status_code for r in responses] == [200] * 8
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 7
    assert len({r.text for r in responses}) == 1
    assert len(api.outbox(BEN)) == 1

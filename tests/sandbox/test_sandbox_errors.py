"""Authentication, and bad input of every kind: a 4xx in the contract's error shape, never a 500."""
from __future__ import annotations

import pytest
import requests

from tests.helpers.sandbox_fixtures import API_KEY

SLOT = {"professional_id": "p-sara", "service_id": "s-sara-therapy",
        "start": "2026-03-04T10:00:00Z"}
LONG = "x" * 10_000
KEY = {"Idempotency-Key": "key-errors-0001"}


def error_of(response: requests.Response, status: int) -> dict:
    """The response's `error` object, after checking the status and the exact shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return body["error"]


def test_health_needs_no_key(sandbox_url):
    response = requests.get(f"{sandbox_url}/api/v1/health", timeout=5)
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer ", "Bearer wrong-key", "Basic dGVzdDp0ZXN0",
    API_KEY, f"Bearer {API_KEY[:-1]}",  # the right key without its scheme; a prefix of it
    "Bearer k\u00e9y-with-latin-1",
])
def test_a_missing_or_wrong_key_is_401(sandbox_url, authorization):
    headers = {} if authorization is None else {"Authorization": authorization.encode("latin-1")}
    response = requests.get(f"{sandbox_url}/api/v1/clients/c-anna", headers=headers, timeout=5)
    assert error_of(response, 401)["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_the_key_is_checked_before_the_body_is_read(sandbox_url):
    response = requests.post(f"{sandbox_url}/api/v1/clients/c-anna/bookings", data="{not json",
                             headers={"Content-Type": "application/json"}, timeout=5)
    assert error_of(response, 401)["code"] == "unauthorized"


def test_an_unknown_route_is_404_in_the_error_shape(api):
    assert error_of(api.get("/api/v1/nothing-here"), 404)["code"] == "not_found"
    assert error_of(api.get("/nothing-here"), 404)["code"] == "not_found"


def test_a_wrong_method_is_405_in_the_error_shape(api):
    assert error_of(api.get("/api/v1/admin/reset"), 405)["code"] == "method_not_allowed"


@pytest.mark.parametrize(("path", "code"), [
    ("/api/v1/clients/c-nobody", "client_not_found"),
    (f"/api/v1/clients/{LONG}", "client_not_found"),
    ("/api/v1/clients/c-anna%00", "client_not_found"),
    ("/api/v1/clients/%E2%9C%93", "client_not_found"),
    ("/api/v1/clients/'%20OR%201=1--", "client_not_found"),
    ("/api/v1/professionals/p-nobody/availability", "professional_not_found"),
    (f"/api/v1/professionals/{LONG}/availability", "professional_not_found"),
])
def test_unknown_ids_are_404_with_a_named_code(api, path, code):
    error = error_of(api.get(path), 404)
    assert error["code"] == code and len(error["message"]) < 200


def test_invalid_json_is_422_saying_so(api):
    response = api.post("/api/v1/clients/c-anna/bookings/quote", data="{bad json",
                        headers={"Content-Type": "application/json"})
    error = error_of(response, 422)
    assert error["code"] == "invalid_request" and "not valid JSON" in error["message"]


@pytest.mark.parametrize(("body", "words"), [
    ({**SLOT, "professional_id": 123}, "'professional_id'"),
    ({**SLOT, "start": 1772618400}, "'start' must be a string"),
    ({**SLOT, "start": None}, "'start'"),
    ({**SLOT, "payment": "card"}, "'payment'"),
    ({**SLOT, "payment": True}, "'payment'"),
    ({k: v for k, v in SLOT.items() if k != "service_id"}, "'service_id' is required"),
    ({**SLOT, "client_id": "c-ben"}, "'client_id' is not a known field"),
    ({**SLOT, "professional_id": LONG}, "at most 64 characters"),
    ({**SLOT, "start": LONG}, "'start' is too long"),
    ({**SLOT, "start": "2026-02-30T10:00:00Z"}, "ISO 8601"),
    ({**SLOT, "start": "tomorrow at ten"}, "ISO 8601"),
    ({**SLOT, "start": "2026-03-04T10:00:00"}, "timezone"),
    ({**SLOT, "start": "2026-03-04"}, "timezone"),
    ({**SLOT, "start": "9999-12-31T23:59:59-05:00"}, "out of range"),
    ({**SLOT, "start": "0001-01-01T00:00:00+01:00"}, "out of range"),
    ([SLOT], "JSON object"),
    ("a string", "JSON object"),
    (None, "required"),
])
def test_a_malformed_booking_body_is_422_naming_the_problem(api, body, words):
    for path in ("/api/v1/clients/c-anna/bookings/quote", "/api/v1/clients/c-anna/bookings"):
        error = error_of(api.post(path, body, headers=KEY), 422)
        assert error["code"] == "invalid_request"
        assert words in error["message"], error["message"]


def test_a_body_that_is_not_json_content_is_422(api):
    response = api.post("/api/v1/clients/c-anna/bookings/quote", data='{"a": 1}',
                        headers={"Content-Type": "text/plain"})
    assert "JSON object" in error_of(response, 422)["message"]


@pytest.mark.parametrize("body", [{"acknowledge_late": "yes"}, {"acknowledge_late": 1},
                                  {"acknowledge": True}, []])
def test_a_malformed_cancel_body_is_422(api, body):
    response = api.post("/api/v1/clients/c-dan/bookings/b-dan-5/cancel", body)
    assert error_of(response, 422)["code"] == "invalid_request"


@pytest.mark.parametrize(("path", "params", "words"), [
    ("/api/v1/clients/c-anna/bookings", {"status": "soon"}, "'status'"),
    ("/api/v1/clients/c-ben/invoices", {"status": LONG}, "'status'"),
    ("/api/v1/outbox", {"to": LONG}, "'to'"),
    ("/api/v1/outbox", {"to": "a\x00b@example"}, "'to'"),
    ("/api/v1/professionals/p-sara/availability", {"service_id": LONG}, "'service_id'"),
])
def test_bad_query_parameters_are_422_naming_them(api, path, params, words):
    assert words in error_of(api.get(path, params=params), 422)["message"]


def test_a_huge_idempotency_key_is_422(api):
    response = api.post("/api/v1/clients/c-anna/bookings", SLOT, headers={"Idempotency-Key": LONG})
    assert "'Idempotency-Key'" in error_of(response, 422)["message"]


def test_deeply_nested_json_is_a_4xx(api):
    response = api.post("/api/v1/clients/c-anna/bookings/quote", data="[" * 100_000,
                        headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500


def test_the_openapi_document_describes_the_api(api):
    document = requests.get(f"{api.base_url}/openapi.json", timeout=5).json()
    paths = document["paths"]
    booking = paths["/api/v1/clients/{client_id}/bookings"]["post"]
    assert booking["tags"] == ["bookings"] and booking["description"]
    def schema(status: str) -> str:
        return booking["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    assert schema("201").endswith("/BookingOut") and schema("200").endswith("/BookingOut")
    assert schema("409").endswith("/ErrorResponse") and schema("422").endswith("/ErrorResponse")
    assert any(p["name"] == "Idempotency-Key" for p in booking["parameters"])
    assert "security" in booking and "security" not in paths["/api/v1/health"]["get"]
    assert {t["name"] for t in document["tags"]} >= {"clients", "bookings", "invoices", "outbox"}
    assert requests.get(f"{api.base_url}/docs", timeout=5).status_code == 200


def test_the_openapi_document_names_the_conflicts_and_the_keys_of_repeatable_writes(api):
    """The booking's 409 codes, `expected_price` in its body, and an Idempotency-Key (with the
    replay answer) on booking and on both re-send routes."""
    document = requests.get(f"{api.base_url}/openapi.json", timeout=5).json()
    paths = document["paths"]
    booking = paths["/api/v1/clients/{client_id}/bookings"]["post"]
    conflicts = booking["responses"]["409"]["description"]
    for code in ("slot_unavailable", "no_credits_left", "price_changed", "idempotency_key_reused"):
        assert f"`{code}`" in conflicts
    body = document["components"]["schemas"]["BookingRequest"]["properties"]
    assert "expected_price" in body and "price_changed" in body["expected_price"]["description"]
    for path in ("/api/v1/clients/{client_id}/invoices/{invoice_id}/resend",
                 "/api/v1/clients/{client_id}/invoices/resend"):
        resend = paths[path]["post"]
        key = next(p for p in resend["parameters"] if p["name"] == "Idempotency-Key")
        assert key["in"] == "header" and key["required"] is True
        assert "`idempotency_key_reused`" in resend["responses"]["409"]["description"]
        assert "Idempotent-Replayed" in resend["responses"]["200"]["description"]

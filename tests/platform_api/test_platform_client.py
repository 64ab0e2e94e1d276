"""The platform client: contract errors become named exceptions; only reads are retried; every
create carries its Idempotency-Key. Driven against a recording local HTTP server and the sandbox."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from platform_api import (
    PlatformClient,
    PlatformRejected,
    PlatformUnavailable,
)
from platform_api import PlatformNotFound as NotFound
from tests.helpers.action_server import free_port


class Recorder:
    """What the fake platform answers, and the requests it saw."""

    def __init__(self) -> None:
        self.status = 200
        self.body: dict[str, Any] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.bodies: list[Any] = []
        self.headers: dict[str, str] = {}


@pytest.fixture
def fake_platform() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            recorder.requests.append((self.command, self.path, dict(self.headers)))
            recorder.bodies.append(json.loads(raw) if raw else None)
            payload = json.dumps(recorder.body).encode()
            self.send_response(recorder.status)
            self.send_header("Content-Type", "application/json")
            for name, value in recorder.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer  # noqa: N815

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", recorder
    server.shutdown()
    server.server_close()


def client(url: str, retries: int = 1) -> PlatformClient:
    return PlatformClient(
        url, "secret-key", connect_timeout=1, read_timeout=2, read_retries=retries
    )


def test_every_call_carries_the_bearer_key(fake_platform):
    """Authorization: Bearer <key> on each request."""
    url, recorder = fake_platform
    recorder.body = {"remaining": 4}
    assert client(url).get_credits("c-anna") == {"remaining": 4}
    assert recorder.requests[0][2]["Authorization"] == "Bearer secret-key"


def test_a_404_is_not_found_with_the_contracts_code_and_message(fake_platform):
    """{"error": {"code", "message"}} is parsed onto the exception."""
    url, recorder = fake_platform
    recorder.status, recorder.body = 404, {"error": {"code": "client_not_found", "message": "No."}}
    with pytest.raises(NotFound) as caught:
        client(url).get_client("c-nobody")
    assert (caught.value.status, caught.value.code, caught.value.message) == (
        404,
        "client_not_found",
        "No.",
    )


def test_a_409_is_a_rejection_and_is_not_retried(fake_platform):
    """A rule violation is the platform's answer, not a failure: one request, PlatformRejected."""
    url, recorder = fake_platform
    recorder.status, recorder.body = (
        409,
        {"error": {"code": "slot_unavailable", "message": "Taken."}},
    )
    with pytest.raises(PlatformRejected) as caught:
        client(url).create_booking(
            "c-anna", "p-sara", "s", "2026-03-03T10:00:00Z", idempotency_key="key-12345678"
        )
    assert caught.value.code == "slot_unavailable" and not isinstance(caught.value, NotFound)
    assert len(recorder.requests) == 1


def test_a_5xx_on_a_read_is_retried_then_unavailable(fake_platform):
    """GET + 503: tried 1 + read_retries times, then PlatformUnavailable."""
    url, recorder = fake_platform
    recorder.status = 503
    with pytest.raises(PlatformUnavailable):
        client(url, retries=2).get_credits("c-anna")
    assert len(recorder.requests) == 3


def test_a_5xx_on_a_write_is_never_retried(fake_platform):
    """POST + 503: exactly one request (a write is not repeated), then PlatformUnavailable."""
    url, recorder = fake_platform
    recorder.status = 503
    with pytest.raises(PlatformUnavailable):
        client(url, retries=2).resend_invoice("c-ben", "inv-ben-1",
                                              idempotency_key="resend-key-0001")
    assert len(recorder.requests) == 1


def test_a_create_carries_the_idempotency_key(fake_platform):
    """create_booking sends the Idempotency-Key header."""
    url, recorder = fake_platform
    recorder.status, recorder.body = 201, {"id": "b-1"}
    client(url).create_booking(
        "c-anna", "p-sara", "s-sara-therapy", "2026-03-03T10:00:00Z", idempotency_key="abc123abc123"
    )
    assert recorder.requests[0][2]["Idempotency-Key"] == "abc123abc123"


def test_a_closed_port_is_unavailable():
    """Connection refused: PlatformUnavailable."""
    with pytest.raises(PlatformUnavailable):
        client(f"http://127.0.0.1:{free_port()}").get_credits("c-anna")


def test_ids_are_escaped_in_paths(fake_platform):
    """An id can't reach another route: "../x" stays one path segment."""
    url, recorder = fake_platform
    recorder.body = {"id": "x"}
    client(url).get_client("../admin/reset")
    assert recorder.requests[0][1] == "/api/v1/clients/..%2Fadmin%2Freset"


def test_the_client_speaks_the_sandbox_contract(sandbox, sandbox_url, api_key):
    """Against the real sandbox: lists are unwrapped, money and times as the contract says."""
    api = PlatformClient(sandbox_url, api_key)
    assert [p["id"] for p in api.get_connections("c-anna")] == ["p-sara", "p-maya"]
    slot = api.get_availability("p-sara", "s-sara-therapy")[0]
    quote = api.quote_booking("c-ben", "p-sara", "s-sara-therapy", slot["start"])
    assert quote["payment_method"] == "self_paid"
    assert quote["price"] == {"amount": 18000, "currency": "ISK"}
    with pytest.raises(NotFound):
        api.get_credits("c-nobody")


def test_a_read_timeout_is_not_retried():
    """A platform slower than the read timeout is asked once, then PlatformUnavailable."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections, never answers
    try:
        api = PlatformClient(
            f"http://127.0.0.1:{listener.getsockname()[1]}",
            "k",
            connect_timeout=1,
            read_timeout=0.5,
            read_retries=3,
        )
        started = time.monotonic()
        with pytest.raises(PlatformUnavailable):
            api.get_credits("c-anna")
        assert time.monotonic() - started < 1.5
    finally:
        listener.close()


def test_a_booking_carries_the_accepted_quote(fake_platform):
    """payment and expected_price go in the body, the price as the contract's Money."""
    url, recorder = fake_platform
    recorder.status, recorder.body = 201, {"id": "b-1"}
    client(url).create_booking(
        "c-dan", "p-jon", "s-jon-physio", "2026-03-04T10:00:00Z", idempotency_key="abc123abc123",
        payment="credits", expected_price={"amount": 0, "currency": "ISK", "note": "dropped"},
    )
    assert recorder.bodies == [{
        "professional_id": "p-jon", "service_id": "s-jon-physio",
        "start": "2026-03-04T10:00:00Z", "payment": "credits",
        "expected_price": {"amount": 0, "currency": "ISK"},
    }]


@pytest.mark.parametrize("resend", [
    lambda api, key: api.resend_invoice("c-ben", "inv-ben-1", idempotency_key=key),
    lambda api, key: api.resend_all_invoices("c-ben", idempotency_key=key),
], ids=["one", "every-unpaid"])
def test_every_resend_carries_its_idempotency_key_and_tells_a_replay(fake_platform, resend):
    """The key goes in the header; `Idempotent-Replayed: true` comes back as `replayed`."""
    url, recorder = fake_platform
    recorder.body = {"sent_to": "ben@northwind.example", "invoices": [{"id": "inv-ben-1"}]}
    first = resend(client(url), "resend-key-0002")
    recorder.headers = {"Idempotent-Replayed": "true"}
    again = resend(client(url), "resend-key-0002")
    assert [r[2]["Idempotency-Key"] for r in recorder.requests] == ["resend-key-0002"] * 2
    assert (first.replayed, again.replayed) == (False, True)
    assert first.sent_to == "ben@northwind.example" and first.invoices == [{"id": "inv-ben-1"}]


def test_a_repeated_resend_sends_one_e_mail_on_the_sandbox(sandbox, sandbox_url, api_key):
    api = PlatformClient(sandbox_url, api_key)
    first = api.resend_invoice("c-ben", "inv-ben-1", idempotency_key="client-resend-0001")
    again = api.resend_invoice("c-ben", "inv-ben-1", idempotency_key="client-resend-0001")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.invoices == first.invoices and first.sent_to == "ben@northwind.example"
    assert len(sandbox.outbox("ben@northwind.example")) == 1
    api.resend_all_invoices("c-ben", idempotency_key="client-resend-0002")
    assert len(sandbox.outbox("ben@northwind.example")) == 2


def test_a_booking_whose_quoted_credit_went_is_refused_on_the_sandbox(sandbox, sandbox_url,
                                                                      api_key):
    """Dan's last credit goes to another booking: the quoted credit booking is 409, nothing
    booked; the self-paid offer, with the same key, books once."""
    api = PlatformClient(sandbox_url, api_key)
    first, second = (s["start"] for s in api.get_availability("p-jon", "s-jon-physio")[:2])
    offer = api.quote_booking("c-dan", "p-jon", "s-jon-physio", first)
    assert offer["payment_method"] == "credits"
    api.create_booking("c-dan", "p-jon", "s-jon-physio", second, idempotency_key="other-tab-01")
    with pytest.raises(PlatformRejected) as caught:
        api.create_booking("c-dan", "p-jon", "s-jon-physio", first, idempotency_key="attempt-01",
                           payment="credits", expected_price=offer["price"])
    assert (caught.value.status, caught.value.code) == (409, "no_credits_left")
    assert [b["start"] for b in api.list_bookings("c-dan", "all")].count(first) == 0
    new_offer = api.quote_booking("c-dan", "p-jon", "s-jon-physio", first)
    booked = [api.create_booking("c-dan", "p-jon", "s-jon-physio", first,
                                 idempotency_key="attempt-01", payment="self",
                                 expected_price=new_offer["price"]) for _ in range(2)]
    assert booked[0] == booked[1] and booked[0]["payment_method"] == "self_paid"
    assert [b["start"] for b in api.list_bookings("c-dan", "all")].count(first) == 1

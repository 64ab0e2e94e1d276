"""The one client of the platform API (docs/contracts.md): the actions and the gateway both use it.

    api = PlatformClient.from_settings(load_platform_client_settings(os.environ))
    credits = api.get_credits("c-anna")          # plain dicts and lists, as the contract shows

- Every call has a (connect, read) timeout.
- Only reads (GET) are retried after a 5xx or a dropped connection, `read_retries` times with a
  small backoff. A failure to *connect* is retried for every method: nothing reached the server,
  so nothing can happen twice. A read *timeout* is never retried: a platform that is slow now
  won't be fast a moment later, and the user would wait twice as long for the apology.
- Every write that must happen once (a booking, an invoice re-send) carries the caller's
  `Idempotency-Key`, so a repeat replays the first answer instead of booking or e-mailing twice.
- A booking can carry the quote the client accepted (`payment`, `expected_price`): the platform
  then books exactly that, or refuses with `409 no_credits_left` / `409 price_changed`.
- Failures are a small exception tree (platform_api/errors.py): `PlatformUnavailable` (the platform
  can't be reached, took too long, or broke) and `PlatformRejected` (it answered "no", with the
  contract's error code), `PlatformNotFound` for a 404.
"""
from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from platform_api.errors import (
    PlatformNotFound,
    PlatformRejected,
    PlatformUnavailable,
)
from platform_api.settings import PlatformClientSettings

if TYPE_CHECKING:
    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

RETRY_STATUSES = (500, 502, 503, 504)
REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class Resent:
    """The answer to a re-send: the address, the invoices (contract shape), and `replayed`: this
    Idempotency-Key had been used already, so the platform replayed its first answer and sent
    nothing this time."""

    sent_to: str
    invoices: list[dict[str, Any]]
    replayed: bool


@dataclass(frozen=True)
class LinkCode:
    """A one-time code that links a chat account to the client (six digits, `expires_at` ISO 8601
    UTC): shown to the client once, never logged."""

    client_id: str
    code: str
    expires_at: str

    def __repr__(self) -> str:  # never the code
        return f"LinkCode(client_id={self.client_id!r}, expires_at={self.expires_at!r})"


# The platform's answers to a link code that can't be redeemed (PlatformRejected.code).
LINK_CODE_NOT_FOUND = "link_code_not_found"  # 404: wrong, or replaced by a newer code
LINK_CODE_EXPIRED = "link_code_expired"      # 409: older than 10 minutes
LINK_CODE_USED = "link_code_used"            # 409: it worked once already

BACKOFF_SECONDS = 0.2


class _Retry(Retry):
    """urllib3's Retry, except that a read timeout is final."""

    def increment(self, method: str | None = None, url: str | None = None,
                  response: BaseHTTPResponse | None = None, error: Exception | None = None,
                  _pool: ConnectionPool | None = None,
                  _stacktrace: TracebackType | None = None) -> Self:
        if isinstance(error, ReadTimeoutError):
            raise error
        return super().increment(method, url, response, error, _pool, _stacktrace)


def _segment(value: str) -> str:
    return quote(str(value), safe="")


class PlatformClient:
    """A thin, typed-by-contract wrapper over the platform's HTTP API."""

    def __init__(self, base_url: str, api_key: str, connect_timeout: float = 2.0,
                 read_timeout: float = 4.0, read_retries: int = 1) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.timeout = (connect_timeout, read_timeout)
        self.read_retries = max(0, read_retries)
        # Actions run in worker threads; each thread gets its own session (connection pool).
        self._local = threading.local()

    @classmethod
    def from_settings(cls, settings: PlatformClientSettings) -> PlatformClient:
        return cls(settings.base_url, settings.api_key, settings.connect_timeout,
                   settings.read_timeout, settings.read_retries)

    def __repr__(self) -> str:
        return f"PlatformClient(base_url={self.base_url!r})"

    # -- transport -------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            retry = _Retry(
                total=None,
                connect=self.read_retries,
                read=self.read_retries,
                status=self.read_retries,
                other=0,
                redirect=0,
                allowed_methods=frozenset({"GET"}),
                status_forcelist=RETRY_STATUSES,
                backoff_factor=BACKOFF_SECONDS,
                raise_on_status=False,
                respect_retry_after_header=False,
            )
            session = requests.Session()
            session.mount("http://", HTTPAdapter(max_retries=retry))
            session.mount("https://", HTTPAdapter(max_retries=retry))
            session.headers.update({
                "Authorization": f"Bearer {self._api_key}",
                "Accept": "application/json",
                "User-Agent": "wellbeing-hub-actions",
            })
            self._local.session = session
        return session

    def _send(self, method: str, path: str, *, params: dict[str, Any] | None = None,
              json: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None) -> tuple[dict[str, Any], bool]:
        """The JSON object the platform answered, and whether it was a replay of an earlier
        answer to the same Idempotency-Key (header `Idempotent-Replayed: true`)."""
        url = f"{self.base_url}{path}"
        try:
            response = self._session().request(method, url, params=params, json=json,
                                                headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            # ConnectionError, Timeout, and RetryError (5xx until retries ran out) alike.
            raise PlatformUnavailable(f"{method} {path}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise PlatformUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise _rejection(response)
        try:
            body = response.json()
        except ValueError as exc:
            raise PlatformUnavailable(f"{method} {path}: not JSON") from exc
        if not isinstance(body, dict):
            raise PlatformUnavailable(f"{method} {path}: unexpected body")
        replayed = response.headers.get(REPLAYED_HEADER, "").strip().lower() == "true"
        return body, replayed

    def _request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                 json: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> dict[str, Any]:
        return self._send(method, path, params=params, json=json, headers=headers)[0]

    def _get(self, path: str, **params: Any) -> dict[str, Any]:
        return self._request("GET", path, params={k: v for k, v in params.items() if v is not None})

    def _get_items(self, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """The list under `key` in a GET's answer (the contract's shape: a list of objects)."""
        items: list[dict[str, Any]] = self._get(path, **params)[key]
        return items

    def _post(self, path: str, body: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None) -> dict[str, Any]:
        return self._request("POST", path, json=body if body is not None else {}, headers=headers)

    # -- the contract's routes ---------------------------------------------------------------

    def get_client(self, client_id: str) -> dict[str, Any]:
        return self._get(f"/api/v1/clients/{_segment(client_id)}")

    def get_credits(self, client_id: str) -> dict[str, Any]:
        return self._get(f"/api/v1/clients/{_segment(client_id)}/credits")

    def get_connections(self, client_id: str) -> list[dict[str, Any]]:
        path = f"/api/v1/clients/{_segment(client_id)}/connections"
        return self._get_items(path, "connections")

    def get_professionals(self, client_id: str) -> list[dict[str, Any]]:
        path = f"/api/v1/clients/{_segment(client_id)}/professionals"
        return self._get_items(path, "professionals")

    def get_availability(self, professional_id: str, service_id: str | None = None,
                         days: int | None = None) -> list[dict[str, Any]]:
        path = f"/api/v1/professionals/{_segment(professional_id)}/availability"
        return self._get_items(path, "slots", service_id=service_id, days=days)

    def quote_booking(self, client_id: str, professional_id: str, service_id: str, start: str,
                      payment: str | None = None) -> dict[str, Any]:
        body = _booking_body(professional_id, service_id, start, payment)
        return self._post(f"/api/v1/clients/{_segment(client_id)}/bookings/quote", body)

    def create_booking(self, client_id: str, professional_id: str, service_id: str, start: str,
                       *, idempotency_key: str, payment: str | None = None,
                       expected_price: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Book a slot. The same key with the same body replays the first booking.

        `payment` ("credits" or "self") and `expected_price` (the quote's `price`) hold the
        platform to the quote the client accepted.
        """
        body = _booking_body(professional_id, service_id, start, payment)
        if expected_price is not None:
            body["expected_price"] = {"amount": expected_price["amount"],
                                      "currency": expected_price["currency"]}
        return self._post(f"/api/v1/clients/{_segment(client_id)}/bookings", body,
                          headers={"Idempotency-Key": idempotency_key})

    def list_bookings(self, client_id: str, status: str = "upcoming") -> list[dict[str, Any]]:
        path = f"/api/v1/clients/{_segment(client_id)}/bookings"
        return self._get_items(path, "bookings", status=status)

    def cancel_booking(self, client_id: str, booking_id: str,
                       acknowledge_late: bool = False) -> dict[str, Any]:
        path = f"/api/v1/clients/{_segment(client_id)}/bookings/{_segment(booking_id)}/cancel"
        return self._post(path, {"acknowledge_late": acknowledge_late})

    def list_invoices(self, client_id: str, status: str = "unpaid") -> list[dict[str, Any]]:
        path = f"/api/v1/clients/{_segment(client_id)}/invoices"
        return self._get_items(path, "invoices", status=status)

    def resend_invoice(self, client_id: str, invoice_id: str, *, idempotency_key: str) -> Resent:
        """E-mail one invoice again. The same key replays the first answer: one e-mail."""
        path = f"/api/v1/clients/{_segment(client_id)}/invoices/{_segment(invoice_id)}/resend"
        return self._resend(path, idempotency_key)

    def resend_all_invoices(self, client_id: str, *, idempotency_key: str) -> Resent:
        """E-mail every unpaid invoice again. The same key replays the first answer."""
        return self._resend(f"/api/v1/clients/{_segment(client_id)}/invoices/resend",
                            idempotency_key)

    def issue_link_code(self, client_id: str) -> LinkCode:
        """A fresh one-time link code for the client; the client's earlier unused one stops
        working."""
        body = self._post(f"/api/v1/clients/{_segment(client_id)}/link-code")
        return LinkCode(client_id=str(body["client_id"]), code=str(body["code"]),
                        expires_at=str(body["expires_at"]))

    def redeem_link_code(self, code: str) -> str:
        """The client id the code was issued for; the code is used up. A code that can't be
        redeemed is a `PlatformRejected` whose `code` is LINK_CODE_NOT_FOUND (a
        `PlatformNotFound`), LINK_CODE_EXPIRED or LINK_CODE_USED; a malformed one (not six
        digits) `invalid_request`. Never retried after it reached the platform (a POST)."""
        body = self._post("/api/v1/link-codes/redeem", {"code": code})
        return str(body["client_id"])

    def send_data_export(self, client_id: str, json_export: str, text_export: str,
                         conversations: int) -> str:
        """E-mail the client the copy of their conversations they asked for (JSON and readable
        text) at their own address; the address it went to."""
        body = self._post(f"/api/v1/clients/{_segment(client_id)}/data-export",
                          {"json_export": json_export, "text_export": text_export,
                           "conversations": conversations})
        return str(body["sent_to"])

    def _resend(self, path: str, idempotency_key: str) -> Resent:
        body, replayed = self._send("POST", path, json={},
                                    headers={"Idempotency-Key": idempotency_key})
        invoices: list[dict[str, Any]] = body["invoices"]
        return Resent(sent_to=str(body["sent_to"]), invoices=invoices, replayed=replayed)


def _booking_body(professional_id: str, service_id: str, start: str,
                  payment: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"professional_id": professional_id, "service_id": service_id,
                            "start": start}
    if payment:
        body["payment"] = payment
    return body


def _rejection(response: requests.Response) -> PlatformRejected:
    code, message = f"http_{response.status_code}", response.reason or "rejected"
    try:
        error = response.json().get("error") or {}
        code = str(error.get("code") or code)
        message = str(error.get("message") or message)
    except (ValueError, AttributeError):
        pass
    kind = PlatformNotFound if response.status_code == 404 else PlatformRejected
    return kind(response.status_code, code, message)

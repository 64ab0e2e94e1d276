"""A small HTTP client for tests that drive the sandbox directly (set-up, inspecting the outbox)."""
from __future__ import annotations

import uuid
from typing import Any

import requests
from sqlalchemy import create_engine, update

from sandbox.models import Service


class SandboxApi:
    """Calls the sandbox with the API key; paths are relative to its base URL."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {api_key}"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.base_url + path, timeout=15, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.http.post(self.base_url + path, json=json, timeout=15, **kwargs)

    def reset(self) -> dict:
        """Back to the demo hub (relative to the sandbox's now)."""
        response = self.post("/api/v1/admin/reset")
        response.raise_for_status()
        return response.json()

    def book(self, client_id: str, body: dict, key: str | None = None) -> requests.Response:
        """POST a booking with an Idempotency-Key (a new one unless given)."""
        headers = {"Idempotency-Key": key or f"test-{uuid.uuid4().hex}"}
        return self.post(f"/api/v1/clients/{client_id}/bookings", body, headers=headers)

    def resend(self, client_id: str, invoice_id: str | None = None,
               key: str | None = None) -> requests.Response:
        """POST a re-send of one invoice (or of every unpaid one) with an Idempotency-Key (a new
        one unless given)."""
        path = f"/api/v1/clients/{client_id}/invoices"
        path += f"/{invoice_id}/resend" if invoice_id is not None else "/resend"
        headers = {"Idempotency-Key": key or f"test-{uuid.uuid4().hex}"}
        return self.post(path, headers=headers)

    def credits(self, client_id: str) -> dict:
        return self.get(f"/api/v1/clients/{client_id}/credits").json()

    def slots(self, professional_id: str, **params: Any) -> list[dict]:
        response = self.get(f"/api/v1/professionals/{professional_id}/availability", params=params)
        response.raise_for_status()
        return response.json()["slots"]

    def outbox(self, to: str | None = None) -> list[dict]:
        return self.get("/api/v1/outbox", params={"to": to} if to else None).json()["emails"]


def set_service_price(database_url: str, service_id: str, minor: int) -> None:
    """The professional changes a service's price (the API has no route for that): written
    straight into the sandbox's database; the next reset re-seeds the demo price."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(update(Service).where(Service.id == service_id)
                               .values(price_minor=minor))
    finally:
        engine.dispose()

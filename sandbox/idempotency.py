"""Idempotency-Key handling for the writes a client may repeat: booking, re-sending invoices.

A key is scoped to the client. The first successful response is stored with a fingerprint of the
request; the same key with the same request replays it, with another request (another body, or
another kind of write) it is refused (409). Failed requests are not stored, so a client may retry
them with the same key. Concurrent duplicates are serialised by `queries.lock_client`, and the
unique (client_id, key) constraint is the backstop.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.models import IdempotencyRecord
from sandbox.money import canonical_amount
from sandbox.rules import RuleViolation
from sandbox.schemas import BookingRequest
from sandbox.times import iso_z


def _digest(canonical: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def fingerprint(request: BookingRequest) -> str:
    """The same booking written differently (`Z` or `+00:00`, `120` or `120.0`) has the same
    fingerprint."""
    canonical: dict[str, Any] = {
        "professional_id": request.professional_id,
        "service_id": request.service_id,
        "start": iso_z(request.start),
        "payment": request.payment,
    }
    if request.expected_price is not None:  # absent: the fingerprint of before the field existed
        canonical["expected_price"] = [canonical_amount(request.expected_price.amount),
                                       request.expected_price.currency]
    return _digest(canonical)


def resend_fingerprint(invoice_id: str | None) -> str:
    """Re-sending one invoice (its id), or every unpaid one (None)."""
    if invoice_id is None:
        return _digest({"write": "invoices.resend_unpaid"})
    return _digest({"write": "invoices.resend", "invoice_id": invoice_id})


def stored_response(session: Session, client_id: str, key: str, request_hash: str) -> str | None:
    """The stored response body for this key, None if the key is new; 409 if it was used for
    another request."""
    record = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.client_id == client_id, IdempotencyRecord.key == key
        )
    )
    if record is None:
        return None
    if record.request_hash != request_hash:
        raise RuleViolation(
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request; "
            "use a new key for a new request.",
        )
    return record.response_body


def remember(
    session: Session, client_id: str, key: str, request_hash: str, status_code: int,
    body: str, now: datetime,
) -> None:
    """Store the first response: `body` is the exact JSON sent, replayed byte for byte."""
    session.add(IdempotencyRecord(
        client_id=client_id, key=key, request_hash=request_hash, status_code=status_code,
        response_body=body, created_at=now,
    ))

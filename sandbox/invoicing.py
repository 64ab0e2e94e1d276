"""Issuing and re-sending invoices for self-paid sessions."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from sandbox import emails, rules
from sandbox.links import Links
from sandbox.models import Booking, Counter, Invoice


def next_invoice_number(session: Session, issued_at: datetime) -> str:
    """`INV-2026-0042`: the counter row is incremented inside this transaction, so two
    concurrent bookings never get the same number."""
    seq = session.scalar(
        update(Counter).where(Counter.name == "invoice").values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    if seq is None:  # a database seeded by something else: start the sequence
        session.add(Counter(name="invoice", value=1))
        seq = 1
    return f"INV-{issued_at.year}-{seq:04d}"


def issue(session: Session, booking: Booking, now: datetime) -> Invoice:
    """An unpaid invoice for a self-paid booking, issued as it is confirmed."""
    invoice = Invoice(
        id=f"inv-{uuid.uuid4().hex[:12]}", number=next_invoice_number(session, now),
        client_id=booking.client_id, amount_minor=booking.price_minor, currency=booking.currency,
        status=rules.UNPAID, issued_at=now,
    )
    booking.invoice = invoice
    return invoice


def resend(session: Session, invoices: list[Invoice], links: Links, now: datetime) -> None:
    """One e-mail per invoice to the client's address."""
    for invoice in invoices:
        emails.invoice_email(session, invoice, links, now)

"""Reading the database: lookups that 404, credit summaries, connections, open slots.

Every function takes the request's session; none commits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sandbox import rules
from sandbox.errors import not_found
from sandbox.models import Base, Booking, Client, Invoice, OutboxEmail, Professional, Service

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def _get[Model: Base](session: Session, model: type[Model], identifier: str, kind: str) -> Model:
    """The row with this id, or 404. Ids that could not exist never reach the database."""
    row = session.get(model, identifier) if ID_PATTERN.fullmatch(identifier) else None
    if row is None:
        raise not_found(kind, identifier)
    return row


def get_client(session: Session, client_id: str) -> Client:
    return _get(session, Client, client_id, "client")


def get_professional(session: Session, professional_id: str) -> Professional:
    return _get(session, Professional, professional_id, "professional")


def hub_professional(session: Session, client: Client, professional_id: str) -> Professional:
    """A professional of the client's hub, or 404."""
    professional = get_professional(session, professional_id)
    if professional not in client.organisation.hub.professionals:
        raise not_found("professional", professional_id)
    return professional


def professional_service(professional: Professional, service_id: str) -> Service:
    for service in professional.services:
        if service.id == service_id:
            return service
    raise not_found("service", service_id)


def client_booking(session: Session, client: Client, booking_id: str) -> Booking:
    booking = _get(session, Booking, booking_id, "booking")
    if booking.client_id != client.id:
        raise not_found("booking", booking_id)
    return booking


def client_invoice(session: Session, client: Client, invoice_id: str) -> Invoice:
    invoice = _get(session, Invoice, invoice_id, "invoice")
    if invoice.client_id != client.id:
        raise not_found("invoice", invoice_id)
    return invoice


def lock_client(session: Session, client_id: str) -> None:
    """Serialise writes for one client until the transaction ends.

    A no-op UPDATE: PostgreSQL locks the client's row, SQLite takes its database write lock. A
    second request for the same client waits here, then sees what the first one committed.
    """
    session.execute(
        update(Client).where(Client.id == client_id).values(has_saved_card=Client.has_saved_card)
    )


@dataclass(frozen=True)
class CreditSummary:
    allowance: int
    used: int
    remaining: int
    period_end: date


def credit_summary(session: Session, client: Client, now: datetime) -> CreditSummary:
    bookings = session.scalars(select(Booking).where(Booking.client_id == client.id)).all()
    allowance = client.organisation.credits_per_year
    used = rules.credits_used(bookings, now)
    remaining = rules.credits_remaining(allowance, used)
    return CreditSummary(allowance, used, remaining, rules.period_end(now))


def connection_ids(session: Session, client_id: str) -> set[str]:
    """Professionals the client has any booking with."""
    rows = session.scalars(select(Booking.professional_id).where(Booking.client_id == client_id))
    return set(rows)


def hub_professionals(client: Client) -> list[Professional]:
    return sorted(client.organisation.hub.professionals, key=lambda p: p.name.casefold())


def client_bookings(session: Session, client_id: str, which: str, now: datetime) -> list[Booking]:
    """`upcoming`: not cancelled and not started, soonest first; `past`: started, latest first;
    `all`: everything by start."""
    query = select(Booking).where(Booking.client_id == client_id)
    if which == "upcoming":
        query = query.where(Booking.starts_at > now, Booking.status != rules.CANCELLED)
        query = query.order_by(Booking.starts_at)
    elif which == "past":
        query = query.where(Booking.starts_at <= now).order_by(Booking.starts_at.desc())
    else:
        query = query.order_by(Booking.starts_at)
    return list(session.scalars(query.order_by(Booking.id)))


def open_slots(
    session: Session, professional: Professional, service: Service, now: datetime, days: int
) -> list[tuple[datetime, datetime]]:
    windows = [rules.Window(r.weekday, r.start_hour, r.end_hour) for r in professional.availability]
    busy = session.execute(
        select(Booking.starts_at, Booking.ends_at).where(
            Booking.professional_id == professional.id,
            Booking.status == rules.BOOKED,
            Booking.ends_at > now,
        )
    ).all()
    return rules.open_slots(windows, service.duration_minutes, busy, now, days)


def client_invoices(session: Session, client_id: str, which: str) -> list[Invoice]:
    query = select(Invoice).where(Invoice.client_id == client_id)
    if which != "all":
        query = query.where(Invoice.status == which)
    return list(session.scalars(query.order_by(Invoice.issued_at.desc(), Invoice.number.desc())))


def outbox(session: Session, to: str | None) -> list[OutboxEmail]:
    query = select(OutboxEmail).order_by(OutboxEmail.sent_at.desc(), OutboxEmail.id.desc())
    if to:
        query = query.where(func.lower(OutboxEmail.to) == to.lower())
    return list(session.scalars(query))

"""Database rows → response bodies (`sandbox.schemas`). Time-dependent fields need `now`."""
from __future__ import annotations

from datetime import datetime

from sandbox import rules
from sandbox.booking import Plan
from sandbox.links import Links
from sandbox.models import Booking, Client, Invoice, OutboxEmail, Professional, Service
from sandbox.money import to_major
from sandbox.queries import CreditSummary
from sandbox.schemas import (
    AttachmentOut,
    BookingOut,
    ClientOut,
    CreditsOut,
    EmailOut,
    HubRef,
    InvoiceOut,
    Money,
    ProfessionalOut,
    ProfessionalRef,
    QuoteOut,
    QuoteService,
    ServiceOut,
    ServiceRef,
    SlotOut,
)
from sandbox.times import iso_z


def money(minor: int, currency: str) -> Money:
    return Money(amount=to_major(minor, currency), currency=currency)


def client(row: Client, links: Links) -> ClientOut:
    hub = row.organisation.hub
    return ClientOut(
        id=row.id, name=row.name, first_name=row.first_name, email=row.email,
        organisation=row.organisation.name, hub=HubRef(name=hub.name, url=links.hub(hub.slug)),
        has_saved_card=row.has_saved_card, time_zone=row.time_zone,
    )


def credits(summary: CreditSummary, row: Client) -> CreditsOut:
    return CreditsOut(
        allowance=summary.allowance, used=summary.used, remaining=summary.remaining,
        period_end=summary.period_end, hub_name=row.organisation.hub.name,
        organisation=row.organisation.name,
    )


def service(row: Service) -> ServiceOut:
    return ServiceOut(id=row.id, name=row.name, duration_minutes=row.duration_minutes,
                      price=money(row.price_minor, row.currency))


def professional(row: Professional, is_connection: bool) -> ProfessionalOut:
    return ProfessionalOut(id=row.id, name=row.name, title=row.title, is_connection=is_connection,
                           services=[service(s) for s in row.services])


def slot(start: datetime, end: datetime, service_id: str, now: datetime) -> SlotOut:
    return SlotOut(start=iso_z(start), end=iso_z(end), service_id=service_id,
                   inside_cancellation_window=rules.inside_cancellation_window(start, now))


def quote(plan: Plan, now: datetime) -> QuoteOut:
    svc = plan.service
    return QuoteOut(
        professional=ProfessionalRef(id=plan.professional.id, name=plan.professional.name),
        service=QuoteService(id=svc.id, name=svc.name, duration_minutes=svc.duration_minutes,
                             price=money(svc.price_minor, svc.currency)),
        start=iso_z(plan.start), end=iso_z(plan.end), payment_method=plan.payment_method,
        price=money(plan.price_minor, svc.currency),
        credits_remaining_after=plan.credits_remaining_after,
        inside_cancellation_window=rules.inside_cancellation_window(plan.start, now),
    )


def booking(row: Booking, now: datetime) -> BookingOut:
    return BookingOut(
        id=row.id,
        professional=ProfessionalRef(id=row.professional.id, name=row.professional.name),
        service=ServiceRef(id=row.service.id, name=row.service.name,
                           duration_minutes=row.service.duration_minutes),
        start=iso_z(row.starts_at), end=iso_z(row.ends_at),
        status=rules.effective_status(row.status, row.ends_at, now),
        payment_method=row.payment_method, price=money(row.price_minor, row.currency),
        invoice_id=row.invoice.id if row.invoice else None,
        inside_cancellation_window=rules.inside_cancellation_window(row.starts_at, now),
        cancellable=rules.is_cancellable(row.status, row.starts_at, row.ends_at, now),
    )


def invoice(row: Invoice, links: Links) -> InvoiceOut:
    session_row = row.booking
    return InvoiceOut(
        id=row.id, number=row.number, booking_id=row.booking_id,
        professional_name=session_row.professional.name, service_name=session_row.service.name,
        session_start=iso_z(session_row.starts_at), amount=money(row.amount_minor, row.currency),
        status=row.status, issued_at=iso_z(row.issued_at), payment_url=links.payment(row.id),
    )


def email(row: OutboxEmail) -> EmailOut:
    return EmailOut(id=row.id, to=row.to, subject=row.subject, body=row.body,
                    sent_at=iso_z(row.sent_at),
                    attachments=[AttachmentOut(filename=a.filename, content_type=a.content_type,
                                               content=a.content) for a in row.attachments])

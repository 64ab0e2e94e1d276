"""The e-mails the platform sends, written to the outbox table instead of a mail server."""
from __future__ import annotations

from datetime import datetime
from functools import cache

import inflect
from sqlalchemy.orm import Session

from sandbox import rules
from sandbox.links import Links
from sandbox.models import Booking, Client, Invoice, OutboxAttachment, OutboxEmail
from sandbox.money import format_money
from sandbox.times import human

SIGNATURE = "\n\n— The Wellbeing Hub team"


@cache
def _english() -> inflect.engine:
    return inflect.engine()


def with_article(name: str) -> str:
    """The name after "a" or "an" as it is said: "an Individual therapy", "a Coaching session"."""
    return _english().a(name)


def send(session: Session, to: str, subject: str, body: str, now: datetime) -> OutboxEmail:
    email = OutboxEmail(to=to, subject=subject, body=body + SIGNATURE, sent_at=now)
    session.add(email)
    return email


def booking_confirmation(session: Session, booking: Booking, links: Links, now: datetime) -> None:
    """To the client, and a notice to the professional (both sides are told). The client reads
    the time on their own clock; the professional, who has no zone on record, in UTC."""
    pro, service, client = booking.professional, booking.service, booking.client
    when, pro_when = human(booking.starts_at, client.time_zone), human(booking.starts_at)
    if booking.payment_method == rules.CREDITS:
        payment = "Paid with one of your sponsored credits."
    else:
        invoice = booking.invoice
        assert invoice is not None, "a self-paid booking is invoiced as it is booked"
        amount = format_money(invoice.amount_minor, invoice.currency)
        payment = (
            f"You pay for this session yourself: {amount}. "
            f"Invoice {invoice.number}: {links.payment(invoice.id)}"
        )
    send(session, client.email, f"Booking confirmed: {service.name} with {pro.name}",
         f"Hi {client.first_name},\n\nYour {service.name} with {pro.name} is confirmed for {when} "
         f"({service.duration_minutes} minutes).\n{payment}\n\nYou can cancel or rebook from your "
         f"dashboard; less than 24 hours before the start the professional's terms may apply.",
         now)
    send(session, pro.email, f"New booking: {service.name} on {pro_when}",
         f"Hi {pro.name},\n\n{client.name} booked {with_article(service.name)} with you "
         f"for {pro_when}.", now)


def invoice_email(session: Session, invoice: Invoice, links: Links, now: datetime) -> None:
    booking = invoice.booking
    subject = f"Invoice {invoice.number} from {booking.professional.name}"
    send(session, booking.client.email, subject,
         f"Hi {booking.client.first_name},\n\nInvoice {invoice.number} for your "
         f"{booking.service.name} with {booking.professional.name} on "
         f"{human(booking.starts_at, booking.client.time_zone)}: "
         f"{format_money(invoice.amount_minor, invoice.currency)}, {invoice.status}.\n"
         f"Pay or view it here: {links.payment(invoice.id)}", now)


def cancellation_notice(session: Session, booking: Booking, message: str, now: datetime) -> None:
    pro, service, client = booking.professional, booking.service, booking.client
    when, pro_when = human(booking.starts_at, client.time_zone), human(booking.starts_at)
    send(session, client.email, f"Booking cancelled: {service.name} with {pro.name}",
         f"Hi {client.first_name},\n\nYour {service.name} with {pro.name} on {when} is cancelled. "
         f"{message}", now)
    late = " (less than 24 hours before the start)" if booking.late_cancellation else ""
    send(session, pro.email, f"Booking cancelled: {service.name} on {pro_when}",
         f"Hi {pro.name},\n\n{client.name} cancelled the {service.name} on {pro_when}{late}.",
         now)


def data_export(session: Session, client: Client, json_export: str, text_export: str,
                conversations: int, now: datetime) -> OutboxEmail:
    """A client's copy of their conversations with the support assistant, to their address."""
    email = send(session, client.email, "Your conversations with the Wellbeing Hub assistant",
                 f"Hi {client.first_name},\n\nAs you asked, here is a copy of your "
                 f"{conversations} conversation{'s' if conversations != 1 else ''} with our "
                 "support assistant and team, on every channel: conversations.json (for "
                 "computers) and conversations.txt (to read). Internal notes of our team are "
                 "not part of it.", now)
    email.attachments = [
        OutboxAttachment(filename="conversations.json", content_type="application/json",
                         content=json_export),
        OutboxAttachment(filename="conversations.txt", content_type="text/plain",
                         content=text_export),
    ]
    return email

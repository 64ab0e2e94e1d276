"""The few HTML pages a person sees in a demo: home, hub, outbox, payment.

Every value is escaped.
"""
from __future__ import annotations

from html import escape

from sandbox.models import Hub, Invoice, OutboxEmail
from sandbox.money import format_money
from sandbox.times import human

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}"
    "article{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}"
    "pre{white-space:pre-wrap}.meta{color:#555;font-size:.9rem}"
)


def layout(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def home_page(hubs: list[Hub]) -> str:
    items = "".join(f"<li><a href='/hubs/{escape(h.slug)}'>{escape(h.name)}</a></li>" for h in hubs)
    return layout("Wellbeing Hubs sandbox", (
        f"<p>A stand-in of the platform for development and demos.</p><ul>{items}</ul>"
        "<p><a href='/dashboard'>Demo client dashboards</a> (with the support widget) · "
        "<a href='/outbox'>Outbox</a> · <a href='/docs'>API documentation</a></p>"
    ))


def hub_page(hub: Hub) -> str:
    rows = "".join(
        f"<li>{escape(p.name)}, {escape(p.title)}: "
        + ", ".join(f"{escape(s.name)} ({s.duration_minutes} min, "
                    f"{escape(format_money(s.price_minor, s.currency))})" for s in p.services)
        + "</li>"
        for p in sorted(hub.professionals, key=lambda p: p.name.casefold())
    )
    return layout(hub.name, f"<p>Professionals of this hub:</p><ul>{rows}</ul>")


def outbox_page(emails: list[OutboxEmail]) -> str:
    if not emails:
        return layout("Outbox", "<p>No e-mails yet.</p>")
    articles = "".join(
        f"<article><h2>{escape(e.subject)}</h2>"
        f"<p class='meta'>To {escape(e.to)} · {escape(human(e.sent_at))}</p>"
        f"<pre>{escape(e.body)}</pre>"
        + "".join(f"<details><summary>Attached: {escape(a.filename)}</summary>"
                  f"<pre>{escape(a.content)}</pre></details>" for a in e.attachments)
        + "</article>"
        for e in emails
    )
    return layout("Outbox", f"<p>{len(emails)} e-mail(s), newest first.</p>{articles}")


def payment_page(invoice: Invoice) -> str:
    booking = invoice.booking
    amount = format_money(invoice.amount_minor, invoice.currency)
    details = (
        f"<p>{escape(booking.service.name)} with {escape(booking.professional.name)}, "
        f"{escape(human(booking.starts_at, booking.client.time_zone))}</p>"
        f"<p>Amount: <strong>{escape(amount)}</strong>"
        f" · Status: <strong>{escape(invoice.status)}</strong></p>"
    )
    if invoice.status == "unpaid":
        details += (
            f"<form method='post' action='/pay/{escape(invoice.id)}'>"
            "<button type='submit'>Pay now (demo: no card is charged)</button></form>"
        )
    else:
        details += "<p>Thank you, this invoice is paid.</p>"
    return layout(f"Invoice {invoice.number}", details)

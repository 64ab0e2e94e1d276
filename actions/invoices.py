"""Unpaid invoices: listing them, and re-sending one (or all) to the client's e-mail.

A re-send carries an Idempotency-Key that is the same for a repeat of the same request, so a
double-clicked "Re-send" sends one e-mail (`resend_key`): a button click is keyed by its offer,
the latest bot message that showed that exact button; a typed request by its own message.
"""
from __future__ import annotations

import hashlib
import re
from datetime import tzinfo
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import formatting as fmt
from actions.common import (
    AssistantAction,
    account_action,
    button,
    client_zone,
    entity_of,
    record_activity,
    typed_text,
    verified_client_id,
)
from platform_api import PlatformClient, PlatformRejected, Resent
from platform_api import PlatformNotFound as NotFound

INVOICE_NUMBER = re.compile(r"\bINV-\d{4}-\d+\b", re.IGNORECASE)
RECEIPTS = ("Receipts for sessions you've paid are on your Payments page: open a session's "
            "\"View details\" and choose \"Print\".")
NO_UNPAID = f"You have no unpaid invoices 🎉 {RECEIPTS}"


def describe(invoice: dict[str, Any], zone: tzinfo) -> str:
    return (f"{invoice['number']}: {invoice['service_name']} with {invoice['professional_name']} "
            f"on {fmt.short_date(invoice['session_start'], zone)}, "
            f"{fmt.money(invoice['amount'])}. "
            f"Pay here: {invoice['payment_url']}")


def resend_buttons(invoices: list[dict[str, Any]]) -> list[dict[str, str]]:
    buttons = [button(f"Re-send {i['number']}", "resend_invoice", invoice_id=i["id"])
               for i in invoices]
    if len(invoices) > 1:
        buttons.append(button("Re-send all", "resend_invoice", invoice_id="all"))
    return buttons


def say_unpaid(dispatcher: CollectingDispatcher, invoices: list[dict[str, Any]],
               heading: str, zone: tzinfo) -> None:
    lines = fmt.bullet_list([describe(i, zone) for i in invoices])
    dispatcher.utter_message(text=f"{heading}\n{lines}",
                             buttons=resend_buttons(invoices))


class ListInvoices(AssistantAction):
    """Every unpaid invoice with its payment link, and buttons to re-send them."""

    def name(self) -> str:
        return "action_list_invoices"

    @account_action()
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        invoices = self.platform.list_invoices(verified_client_id(tracker), status="unpaid")
        record_activity(dispatcher, tracker, f"Showed unpaid invoices: {len(invoices)}")
        if not invoices:
            dispatcher.utter_message(text=NO_UNPAID)
            return []
        heading = ("You have 1 unpaid invoice:" if len(invoices) == 1
                   else f"You have {len(invoices)} unpaid invoices:")
        say_unpaid(dispatcher, invoices, heading, client_zone(tracker, self.platform))
        return []


def offer_of(events: list[dict[str, Any]], payload: str) -> str | None:
    """The bot message before the latest user message that last showed a button with exactly
    this payload, as "<timestamp>|<text>" (stable: it is read back from the tracker store)."""
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    for event in reversed(events[:users[-1]] if users else []):
        buttons = ((event.get("data") or {}).get("buttons") or []
                   if event.get("event") == "bot" else [])
        if any(str(b.get("payload", "")).strip() == payload for b in buttons):
            return f"{event.get('timestamp')!r}|{event.get('text') or ''}"
    return None


def message_of(tracker: Tracker) -> str:
    """The latest user message's id (Rasa gives every message one), else its event's time."""
    message_id = (tracker.latest_message or {}).get("message_id")
    if message_id:
        return str(message_id)
    latest: dict[str, Any] = next(
        (e for e in reversed(tracker.events) if e.get("event") == "user"), {})
    return str(latest.get("message_id") or repr(latest.get("timestamp")))


def resend_key(tracker: Tracker, target: str) -> str:
    """The Idempotency-Key of re-sending `target` (an invoice id, or "all") for this message.

    A click on a button is keyed by the offer the button came from, so clicking it twice (a
    double-click, or again later) re-sends once; the platform replays the first answer. A typed
    request is keyed by its own message: asking again in words re-sends again.
    """
    text = ((tracker.latest_message or {}).get("text") or "").strip()
    offer = offer_of(tracker.events, text) if text.startswith("/") else None
    basis = f"offer|{offer}" if offer is not None else f"message|{message_of(tracker)}"
    digest = hashlib.sha256(f"{tracker.sender_id}|{basis}|{target}".encode()).hexdigest()
    return f"resend-{digest[:40]}"


def say_resent(dispatcher: CollectingDispatcher, result: Resent, what: str, tail: str) -> None:
    """What was re-sent, where to; for a replay, that this request had been done already."""
    to = fmt.masked_email(result.sent_to)
    if result.replayed:
        dispatcher.utter_message(
            text=f"I had already re-sent {what} to {to} for that request, so I didn't send it "
                 "twice. If it hasn't arrived in a few minutes, check your spam folder, or ask "
                 "me to re-send it again.")
        return
    dispatcher.utter_message(text=f"I've re-sent {what} to {to}{tail}")


class ResendInvoice(AssistantAction):
    """Re-send the invoice the user chose (a button, a number they typed, or the only one)."""

    def name(self) -> str:
        return "action_resend_invoice"

    @account_action()
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        client_id = verified_client_id(tracker)
        chosen = entity_of(tracker, "invoice_id")
        typed = INVOICE_NUMBER.search(typed_text(tracker) or "")
        if chosen == "all":
            return resend_all(dispatcher, self.platform, client_id, resend_key(tracker, "all"))
        if chosen is None and typed:
            number = typed.group().upper()
            chosen = next((i["id"] for i in self.platform.list_invoices(client_id, status="all")
                           if i.get("number", "").upper() == number), None)
            if chosen is None:
                dispatcher.utter_message(text=f"I couldn't find invoice {number} on your account.")
                return []
        if chosen is None:
            unpaid = self.platform.list_invoices(client_id, status="unpaid")
            if not unpaid:
                dispatcher.utter_message(text="You have no unpaid invoices, so there's nothing to "
                                              f"re-send. {RECEIPTS}")
                return []
            if len(unpaid) > 1:
                say_unpaid(dispatcher, unpaid, "Which invoice should I re-send?",
                           client_zone(tracker, self.platform))
                return []
            chosen = unpaid[0]["id"]
        try:
            result = self.platform.resend_invoice(client_id, chosen,
                                                  idempotency_key=resend_key(tracker, chosen))
        except NotFound:
            dispatcher.utter_message(text="I couldn't find that invoice on your account.")
            return []
        numbers = ", ".join(i["number"] for i in result.invoices) or "your invoice"
        record_activity(dispatcher, tracker, f"Re-sent invoice {numbers}")
        say_resent(dispatcher, result, f"invoice {numbers}",
                   ". It has a link to the payment page.")
        return []


def resend_all(dispatcher: CollectingDispatcher, platform: PlatformClient,
               client_id: str, key: str) -> list[EventType]:
    try:
        result = platform.resend_all_invoices(client_id, idempotency_key=key)
    except PlatformRejected as exc:
        if exc.code != "no_unpaid_invoices":
            raise
        dispatcher.utter_message(text="You have no unpaid invoices, so there's nothing to re-send.")
        return []
    numbers = ", ".join(i["number"] for i in result.invoices)
    if len(result.invoices) == 1:
        what = f"invoice {numbers}"
    else:
        what = f"your {len(result.invoices)} unpaid invoices ({numbers})"
    say_resent(dispatcher, result, what, ", each with a link to its payment page.")
    return []

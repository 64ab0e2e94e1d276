"""Unpaid invoices: listing them, and re-sending one (or all) to the client's e-mail."""
from __future__ import annotations

import re
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
    entity_of,
    typed_text,
    verified_client_id,
)
from platform_api import PlatformClient, PlatformRejected
from platform_api import PlatformNotFound as NotFound

INVOICE_NUMBER = re.compile(r"\bINV-\d{4}-\d+\b", re.IGNORECASE)
RECEIPTS = ("Receipts for sessions you've paid are on your Payments page: open a session's "
            "\"View details\" and choose \"Print\".")
NO_UNPAID = f"You have no unpaid invoices 🎉 {RECEIPTS}"


def describe(invoice: dict[str, Any]) -> str:
    return (f"{invoice['number']}: {invoice['service_name']} with {invoice['professional_name']} "
            f"on {fmt.short_date(invoice['session_start'])}, {fmt.money(invoice['amount'])}. "
            f"Pay here: {invoice['payment_url']}")


def resend_buttons(invoices: list[dict[str, Any]]) -> list[dict[str, str]]:
    buttons = [button(f"Re-send {i['number']}", "resend_invoice", invoice_id=i["id"])
               for i in invoices]
    if len(invoices) > 1:
        buttons.append(button("Re-send all", "resend_invoice", invoice_id="all"))
    return buttons


def say_unpaid(dispatcher: CollectingDispatcher, invoices: list[dict[str, Any]],
               heading: str) -> None:
    dispatcher.utter_message(text=f"{heading}\n{fmt.bullet_list([describe(i) for i in invoices])}",
                             buttons=resend_buttons(invoices))


class ListInvoices(AssistantAction):
    """Every unpaid invoice with its payment link, and buttons to re-send them."""

    def name(self) -> str:
        return "action_list_invoices"

    @account_action()
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        invoices = self.platform.list_invoices(verified_client_id(tracker), status="unpaid")
        if not invoices:
            dispatcher.utter_message(text=NO_UNPAID)
            return []
        heading = ("You have 1 unpaid invoice:" if len(invoices) == 1
                   else f"You have {len(invoices)} unpaid invoices:")
        say_unpaid(dispatcher, invoices, heading)
        return []


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
            return resend_all(dispatcher, self.platform, client_id)
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
                say_unpaid(dispatcher, unpaid, "Which invoice should I re-send?")
                return []
            chosen = unpaid[0]["id"]
        try:
            result = self.platform.resend_invoice(client_id, chosen)
        except NotFound:
            dispatcher.utter_message(text="I couldn't find that invoice on your account.")
            return []
        numbers = ", ".join(i["number"] for i in result.get("invoices", [])) or "your invoice"
        dispatcher.utter_message(
            text=f"I've re-sent invoice {numbers} to {fmt.masked_email(result.get('sent_to'))}. "
                 "It has a link to the payment page.")
        return []


def resend_all(dispatcher: CollectingDispatcher, platform: PlatformClient,
               client_id: str) -> list[EventType]:
    try:
        result = platform.resend_all_invoices(client_id)
    except PlatformRejected as exc:
        if exc.code != "no_unpaid_invoices":
            raise
        dispatcher.utter_message(text="You have no unpaid invoices, so there's nothing to re-send.")
        return []
    invoices = result.get("invoices", [])
    numbers = ", ".join(i["number"] for i in invoices)
    if len(invoices) == 1:
        what = f"invoice {numbers}"
    else:
        what = f"your {len(invoices)} unpaid invoices ({numbers})"
    dispatcher.utter_message(
        text=f"I've re-sent {what} to {fmt.masked_email(result.get('sent_to'))}, each with a link "
             "to its payment page.")
    return []

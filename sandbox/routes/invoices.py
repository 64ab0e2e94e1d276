"""A client's invoices, and re-sending them by e-mail."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from sandbox import invoicing, present, queries, rules
from sandbox.deps import LinksDep, NowDep, SessionDep
from sandbox.routes import error, protected_router
from sandbox.rules import RuleViolation
from sandbox.schemas import InvoicesOut, ResendOut

router = protected_router("invoices")


@router.get("/clients/{client_id}/invoices", response_model=InvoicesOut,
            responses={404: error("Unknown client.")}, summary="A client's invoices")
def list_invoices(
    client_id: str, session: SessionDep, links: LinksDep,
    status: Annotated[Literal["unpaid", "paid", "all"], Query()] = "unpaid",
) -> InvoicesOut:
    """Invoices of self-paid sessions, newest first; `unpaid` by default."""
    client = queries.get_client(session, client_id)
    rows = queries.client_invoices(session, client.id, status)
    return InvoicesOut(invoices=[present.invoice(row, links) for row in rows])


@router.post("/clients/{client_id}/invoices/{invoice_id}/resend", response_model=ResendOut,
             responses={404: error("Unknown client or invoice.")}, summary="Re-send one invoice")
def resend_invoice(
    client_id: str, invoice_id: str, session: SessionDep, now: NowDep, links: LinksDep
) -> ResendOut:
    """E-mails the invoice (with its payment link) to the client's address again."""
    client = queries.get_client(session, client_id)
    invoice = queries.client_invoice(session, client, invoice_id)
    invoicing.resend(session, [invoice], links, now)
    return ResendOut(sent_to=client.email, invoices=[present.invoice(invoice, links)])


@router.post("/clients/{client_id}/invoices/resend", response_model=ResendOut,
             responses={404: error("Unknown client."), 409: error("`no_unpaid_invoices`.")},
             summary="Re-send every unpaid invoice")
def resend_unpaid_invoices(
    client_id: str, session: SessionDep, now: NowDep, links: LinksDep
) -> ResendOut:
    """One e-mail per unpaid invoice to the client's address."""
    client = queries.get_client(session, client_id)
    invoices = queries.client_invoices(session, client.id, rules.UNPAID)
    if not invoices:
        raise RuleViolation("no_unpaid_invoices", "This client has no unpaid invoices to re-send.")
    invoicing.resend(session, invoices, links, now)
    return ResendOut(sent_to=client.email,
                     invoices=[present.invoice(row, links) for row in invoices])

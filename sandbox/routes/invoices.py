"""A client's invoices, and re-sending them by e-mail (idempotent: one e-mail per attempt)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import Response

from sandbox import idempotency, invoicing, present, queries, rules
from sandbox.deps import LinksDep, NowDep, SessionDep
from sandbox.routes import IdempotencyKey, error, protected_router, replayed, respond_once
from sandbox.rules import RuleViolation
from sandbox.schemas import InvoicesOut, ResendOut

router = protected_router("invoices")

SENT = "Re-sent: to which address, and the invoices."
KEY_REUSED = "`idempotency_key_reused` (the key was used for another request)"


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
             responses={404: error("Unknown client or invoice."), 409: error(f"{KEY_REUSED}."),
                        **replayed(ResendOut, first=SENT)},
             summary="Re-send one invoice")
def resend_invoice(
    client_id: str, invoice_id: str, idempotency_key: IdempotencyKey, session: SessionDep,
    now: NowDep, links: LinksDep,
) -> Response:
    """E-mails the invoice (with its payment link) to the client's address again. The same
    Idempotency-Key replays the first answer and sends no second e-mail."""
    client = queries.get_client(session, client_id)

    def write() -> tuple[int, dict[str, Any]]:
        invoice = queries.client_invoice(session, client, invoice_id)
        invoicing.resend(session, [invoice], links, now)
        out = ResendOut(sent_to=client.email, invoices=[present.invoice(invoice, links)])
        return 200, out.model_dump(mode="json")

    return respond_once(session, client.id, idempotency_key,
                        idempotency.resend_fingerprint(invoice_id), now, write)


@router.post("/clients/{client_id}/invoices/resend", response_model=ResendOut,
             responses={404: error("Unknown client."),
                        409: error(f"`no_unpaid_invoices`; {KEY_REUSED}."),
                        **replayed(ResendOut, first=SENT)},
             summary="Re-send every unpaid invoice")
def resend_unpaid_invoices(
    client_id: str, idempotency_key: IdempotencyKey, session: SessionDep, now: NowDep,
    links: LinksDep,
) -> Response:
    """One e-mail per unpaid invoice to the client's address. The same Idempotency-Key replays
    the first answer and sends no more e-mails."""
    client = queries.get_client(session, client_id)

    def write() -> tuple[int, dict[str, Any]]:
        invoices = queries.client_invoices(session, client.id, rules.UNPAID)
        if not invoices:
            raise RuleViolation("no_unpaid_invoices",
                                "This client has no unpaid invoices to re-send.")
        invoicing.resend(session, invoices, links, now)
        out = ResendOut(sent_to=client.email,
                        invoices=[present.invoice(row, links) for row in invoices])
        return 200, out.model_dump(mode="json")

    return respond_once(session, client.id, idempotency_key,
                        idempotency.resend_fingerprint(None), now, write)

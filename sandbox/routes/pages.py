"""Human-facing pages: home, a hub, and the demo payment page that invoice links open."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox import pages, queries, rules
from sandbox.deps import NowDep, SessionDep
from sandbox.errors import not_found
from sandbox.models import Hub, Invoice

router = APIRouter(tags=["pages"])


def _json_error(description: str) -> dict[str, Any]:
    """An error these HTML routes answer in JSON (`sandbox.errors`), documented as JSON."""
    schema = {"$ref": "#/components/schemas/ErrorResponse"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


NO_HUB: dict[int | str, dict[str, Any]] = {404: _json_error("Unknown hub (`hub_not_found`).")}
NO_INVOICE: dict[int | str, dict[str, Any]] = {
    404: _json_error("Unknown invoice (`invoice_not_found`)."),
}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(session: SessionDep) -> HTMLResponse:
    return HTMLResponse(pages.home_page(list(session.scalars(select(Hub).order_by(Hub.name)))))


@router.get("/hubs/{slug}", response_class=HTMLResponse, responses=NO_HUB,
            summary="A hub's page")
def hub(slug: str, session: SessionDep) -> HTMLResponse:
    """The page a hub link points to: the hub's professionals and services."""
    row = None
    if queries.ID_PATTERN.fullmatch(slug):
        row = session.scalar(select(Hub).where(Hub.slug == slug))
    if row is None:
        raise not_found("hub", slug)
    return HTMLResponse(pages.hub_page(row))


def _invoice(session: Session, invoice_id: str) -> Invoice:
    row = session.get(Invoice, invoice_id) if queries.ID_PATTERN.fullmatch(invoice_id) else None
    if row is None:
        raise not_found("invoice", invoice_id)
    return row


@router.get("/pay/{invoice_id}", response_class=HTMLResponse, responses=NO_INVOICE,
            summary="An invoice's payment page")
def payment_page(invoice_id: str, session: SessionDep) -> HTMLResponse:
    """Where `payment_url` leads: the invoice, and a demo 'Pay now' button."""
    return HTMLResponse(pages.payment_page(_invoice(session, invoice_id)))


@router.post("/pay/{invoice_id}", response_class=RedirectResponse, status_code=303,
             responses=NO_INVOICE, summary="Pay an invoice (demo)")
def pay(invoice_id: str, session: SessionDep, now: NowDep) -> RedirectResponse:
    """Marks the invoice paid and goes back to its page."""
    invoice = _invoice(session, invoice_id)
    if invoice.status == rules.UNPAID:
        invoice.status, invoice.paid_at = rules.PAID, now
    return RedirectResponse(f"/pay/{invoice.id}", status_code=303)

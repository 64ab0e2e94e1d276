"""The outbox: every e-mail the sandbox 'sent', as JSON (API) and as an HTML page (people)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from sandbox import pages, present, queries
from sandbox.deps import SessionDep
from sandbox.routes import protected_router
from sandbox.schemas import OutboxOut

router = protected_router("outbox")
page_router = APIRouter(tags=["pages"])

ToFilter = Annotated[str | None, Query(max_length=320, pattern=r"^[^\x00-\x1f]*$",
                                       description="Only e-mails to this address.")]


@router.get("/outbox", response_model=OutboxOut, summary="E-mails sent, newest first")
def get_outbox(session: SessionDep, to: ToFilter = None) -> OutboxOut:
    """Every e-mail written to the outbox (nothing leaves the sandbox), or those to one address."""
    return OutboxOut(emails=[present.email(row) for row in queries.outbox(session, to)])


@page_router.get("/outbox", response_class=HTMLResponse, summary="The outbox as a web page")
def outbox_page(session: SessionDep, to: ToFilter = None) -> HTMLResponse:
    """For a person watching a demo; no key needed (the sandbox binds to loopback)."""
    return HTMLResponse(pages.outbox_page(queries.outbox(session, to)))

"""The demo client dashboard: one page per demo client, embedding the support widget.

The page signs a fresh identity token for its client on every load (sandbox/identity_tokens.py),
exactly as the real platform's dashboard would, and gives the widget a way to get another one
later (`/dashboard/{client_id}/identity-token`, which the page's token provider fetches: a real
platform would answer it for the signed-in client of the session cookie only); the signed-out
page embeds the widget with an empty token.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox import dashboard, link_codes, queries, rules
from sandbox.deps import NowDep, SessionDep
from sandbox.identity_tokens import sign_identity_token
from sandbox.models import Client
from sandbox.routes import error
from sandbox.settings import SandboxSettings

router = APIRouter(tags=["pages"])
HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}
DASHBOARD_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such demo client (a page saying so).", "content": HTML_PAGE},
    503: {"description": "WIDGET_TOKEN_SECRET is not set (a page saying so).",
          "content": HTML_PAGE},
}
NO_TOKEN: dict[int | str, dict[str, Any]] = {
    404: error("No such demo client, or the widget is not configured (`not_found`)."),
}
NO_STORE = {"Cache-Control": "no-store"}  # the page carries a token: never cache it


def _settings(request: Request) -> SandboxSettings:
    return request.app.state.settings


@router.get("/dashboard", response_class=HTMLResponse, summary="The demo client dashboards")
def demo_clients(session: SessionDep, now: NowDep) -> HTMLResponse:
    """Links to each demo client's dashboard and to the signed-out page."""
    clients = []
    for row in session.scalars(select(Client).order_by(Client.name)):
        summary = queries.credit_summary(session, row, now)
        clients.append(dashboard.DemoClient(
            row.id, row.name, row.organisation.name,
            f"{summary.remaining} of {summary.allowance} credits left"))
    return HTMLResponse(dashboard.demo_index(clients))


@router.get("/dashboard/signed-out", response_class=HTMLResponse,
            summary="The dashboard of a visitor who is not signed in")
def signed_out(request: Request) -> HTMLResponse:
    """The widget with an empty identity token: help topics only."""
    page = dashboard.signed_out_page(_settings(request).gateway_public_url)
    return HTMLResponse(page, headers=NO_STORE)


@router.get("/dashboard/{client_id}", response_class=HTMLResponse, responses=DASHBOARD_ERRORS,
            summary="A demo client's dashboard with the support widget")
def client_dashboard(client_id: str, request: Request, session: SessionDep,
                     now: NowDep) -> HTMLResponse:
    """Greeting, credits, connections, upcoming sessions, the hub; the widget signed in as them."""
    return _dashboard_page(client_id, request, session, now)


@router.post("/dashboard/{client_id}/link-code", response_class=HTMLResponse,
             responses=DASHBOARD_ERRORS,
             summary="The dashboard with a fresh code to link Slack or Telegram")
def client_link_code(client_id: str, request: Request, session: SessionDep,
                     now: NowDep) -> HTMLResponse:
    """Issues a one-time link code for the client (as `POST /api/v1/clients/{id}/link-code`)
    and shows it on the dashboard with what to do: send `link <code>` to the bot on Slack or
    Telegram, or open the Telegram deep link."""
    return _dashboard_page(client_id, request, session, now, issue_code=True)


def _dashboard_page(client_id: str, request: Request, session: Session, now: datetime,
                    issue_code: bool = False) -> HTMLResponse:
    settings = _settings(request)
    row = session.get(Client, client_id) if queries.ID_PATTERN.fullmatch(client_id) else None
    if row is None:
        return HTMLResponse(dashboard.message_page(
            "No such demo client", "There is no demo client with this id. Pick one below."),
            status_code=404)
    if settings.widget_token_secret is None:
        return HTMLResponse(dashboard.message_page(
            "The support widget is not configured",
            "Set WIDGET_TOKEN_SECRET (the secret the gateway shares) in .env or the environment "
            "and restart the sandbox; see .env.example."), status_code=503)
    # Real time, not the sandbox's (possibly frozen) clock: the gateway checks expiry in real time.
    token = sign_identity_token(row.id, settings.widget_token_secret)
    link = None
    if issue_code:
        code, expires_at = link_codes.issue(session, row, request.app.state.link_code_key, now)
        link = dashboard.LinkOffer(code, expires_at, settings.telegram_bot_username)
    page = dashboard.client_dashboard(_dashboard_data(session, row, now, link), now,
                                      settings.gateway_public_url, token,
                                      token_url=f"/dashboard/{row.id}/identity-token")
    return HTMLResponse(page, headers=NO_STORE)


@router.get("/dashboard/{client_id}/account", response_class=HTMLResponse,
            responses={404: {"description": "No such demo client.", "content": HTML_PAGE}},
            summary="The dashboard's account sections, for its refresh")
def account_sections(client_id: str, session: SessionDep, now: NowDep) -> HTMLResponse:
    """Credits, unpaid invoices, connections and upcoming sessions as HTML (what the dashboard
    shows in its `#account` box): the page fetches it every few seconds, so a booking made in
    the chat shows without a reload."""
    row = session.get(Client, client_id) if queries.ID_PATTERN.fullmatch(client_id) else None
    if row is None:
        return HTMLResponse("", status_code=404, headers=NO_STORE)
    return HTMLResponse(dashboard.account_sections(_dashboard_data(session, row, now), now),
                        headers=NO_STORE)


@router.get("/dashboard/{client_id}/identity-token", responses=NO_TOKEN,
            summary="A fresh widget identity token for the dashboard's client")
def identity_token(client_id: str, request: Request, session: SessionDep) -> JSONResponse:
    """`{"identity_token"}`: what the dashboard's widget asks for when its sign-in needs
    renewing. (The demo dashboards have no login; the real platform answers this for the
    session's own client only.)"""
    settings = _settings(request)
    row = session.get(Client, client_id) if queries.ID_PATTERN.fullmatch(client_id) else None
    if row is None or settings.widget_token_secret is None:
        return JSONResponse({"error": {"code": "not_found", "message": "No such demo client."}},
                            status_code=404, headers=NO_STORE)
    return JSONResponse({"identity_token": sign_identity_token(row.id,
                                                               settings.widget_token_secret)},
                        headers=NO_STORE)


def _dashboard_data(session: Session, client: Client, now: datetime,
                    link: dashboard.LinkOffer | None = None) -> dashboard.DashboardData:
    summary = queries.credit_summary(session, client, now)
    ids = queries.connection_ids(session, client.id)
    hub = client.organisation.hub
    return dashboard.DashboardData(
        client_id=client.id, client_name=client.name, first_name=client.first_name,
        hub_name=hub.name,
        hub_slug=hub.slug, organisation=client.organisation.name, time_zone=client.time_zone,
        credits_allowance=summary.allowance, credits_remaining=summary.remaining,
        period_end=summary.period_end,
        connections=[dashboard.Connection(p.id, p.name, p.title)
                     for p in queries.hub_professionals(client) if p.id in ids],
        upcoming=[dashboard.UpcomingSession(b.starts_at, b.service.name, b.professional.name,
                                            b.service.duration_minutes,
                                            b.payment_method == rules.CREDITS)
                  for b in queries.client_bookings(session, client.id, "upcoming", now)],
        unpaid=[dashboard.UnpaidInvoice(i.id, i.number, i.amount_minor, i.currency,
                                        i.booking.service.name, i.booking.professional.name)
                for i in queries.client_invoices(session, client.id, rules.UNPAID)],
        link=link,
    )

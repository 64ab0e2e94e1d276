"""The FastAPI app factory: `create_app(settings, now=None)`.

Nothing is created at import time. The app owns its engine; on start-up it creates missing tables
and seeds the demo hub if the database is empty; on shutdown it disposes of the engine.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI

from sandbox.db import make_engine, make_session_factory
from sandbox.errors import install_error_handlers
from sandbox.link_codes import new_key
from sandbox.links import Links
from sandbox.middleware import ApiKeyMiddleware, RequestLogMiddleware
from sandbox.routes import (
    admin,
    availability,
    bookings,
    clients,
    dashboard,
    data_exports,
    health,
    invoices,
    link_codes,
    outbox,
    pages,
)
from sandbox.seed import prepare_database
from sandbox.settings import SandboxSettings
from sandbox.times import Clock, make_clock

DESCRIPTION = """\
A stand-in of the Wellbeing Hubs platform API for the chat assistant's actions, with the demo hub of
DOMAIN.md. The contract is `docs/contracts.md`. Every `/api/v1` route except `/api/v1/health` needs
`Authorization: Bearer <PLATFORM_API_KEY>`. Errors are `{"error": {"code", "message"}}`.
Times are ISO 8601 UTC with `Z`; money is `{"amount", "currency"}` in major units.
"""
TAGS = [
    {"name": "health", "description": "Liveness, without a key."},
    {"name": "clients", "description": "A client's profile, credits, connections, professionals."},
    {"name": "professionals", "description": "Hub availability as open slots."},
    {"name": "bookings", "description": "Quote, book (idempotent), list, cancel (24-hour rule)."},
    {"name": "invoices", "description": "Invoices of self-paid sessions; re-sending them."},
    {"name": "linking", "description": "One-time codes that link a Slack or Telegram account "
                                     "to a client."},
    {"name": "outbox", "description": "E-mails the sandbox 'sent'."},
    {"name": "admin", "description": "Test support: re-seed the demo hub."},
    {"name": "pages", "description": "HTML pages for people (no key)."},
]


def create_app(settings: SandboxSettings, now: datetime | Clock | None = None) -> FastAPI:
    """The sandbox app. `now`: a fixed datetime freezes the clock (tests), None is real time."""
    clock = make_clock(now)
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        prepare_database(engine, clock())
        yield
        engine.dispose()

    app = FastAPI(
        title="Wellbeing Hubs platform API (sandbox)", version="1.0.0", description=DESCRIPTION,
        openapi_tags=TAGS, lifespan=lifespan,
    )
    app.state.clock = clock
    app.state.settings = settings
    app.state.session_factory = make_session_factory(engine)
    app.state.links = Links.for_settings(settings)
    app.state.link_code_key = new_key()
    install_error_handlers(app)
    app.add_middleware(ApiKeyMiddleware, api_key=settings.api_key)
    app.add_middleware(RequestLogMiddleware)  # added last: outermost
    for module in (health, clients, data_exports, availability, bookings, invoices, link_codes,
                   outbox, admin, pages, dashboard):
        app.include_router(module.router)
    app.include_router(outbox.page_router)
    return app

"""The gateway app factory: `create_app(settings, platform)` (both read once at start).

Nothing is created at import time. The app owns its services (store, Rasa client, event hub,
routing core); before serving it routes the messages a stopped gateway left unrouted; at shutdown
it lets running turns finish (for a moment), ends the live streams and closes them.
The schema is migrated and the demo agent seeded by `python -m bot.gateway` before serving.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy import text

from bot.config import GatewaySettings
from bot.gateway import (
    console_api,
    console_history_api,
    insights_api,
    review_api,
    slack_api,
    static,
    telegram_api,
    widget_api,
)
from bot.gateway.errors import ApiError, install_error_handlers
from bot.gateway.middleware import BodyLimit, PathCors, RequestLog, SecurityHeaders
from bot.gateway.services import Services
from platform_api import PlatformClientSettings

# A 10,000-character message of 4-byte characters, JSON-escaped, fits with room to spare.
MAX_BODY_BYTES = 256 * 1024


def create_app(settings: GatewaySettings,
               platform: PlatformClientSettings) -> FastAPI:
    services = Services.build(settings, platform)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await services.start()
        yield
        await services.close()

    app = FastAPI(title="Wellbeing Hub support gateway", version="1.0.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.services = services
    install_error_handlers(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(PathCors, prefix="/widget/api/", origins=settings.allowed_origins)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(RequestLog)  # added last: outermost

    @app.get("/health", include_in_schema=False)
    async def health() -> dict:
        def check() -> None:
            with services.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        try:
            await anyio.to_thread.run_sync(check)
        except Exception as exc:
            raise ApiError(503, "store_unavailable", "The conversation store can't be reached.") \
                from exc
        return {"status": "ok"}

    app.include_router(widget_api.routes)
    app.include_router(console_api.routes)
    app.include_router(console_history_api.routes)
    app.include_router(review_api.routes)
    # before static's /console/{name}:
    app.include_router(review_api.page)
    app.include_router(insights_api.routes)
    app.include_router(telegram_api.routes)
    app.include_router(static.routes)
    if services.slack is not None and not services.slack.socket_mode:
        app.include_router(slack_api.routes(services.slack))
    app.mount("/console/static", static.console_files(), name="console-static")
    return app

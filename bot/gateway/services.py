"""Everything the routes need, built once per app from the settings and kept on `app.state`."""
from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from platform_api import PlatformClient, PlatformClientSettings
from bot.changes import Writer
from bot.config import GatewaySettings
from bot.context import ContextPanel
from bot.events import EventHub
from bot.gateway.auth import ConsoleAuth
from bot.gateway.throttle import LoginThrottle
from bot.handoff import Desk
from bot.rasa_client import RasaClient
from bot.routing import Router
from bot.store.db import Database


@dataclass
class Services:
    settings: GatewaySettings
    db: Database
    hub: EventHub
    rasa: RasaClient
    router: Router
    desk: Desk
    context: ContextPanel
    auth: ConsoleAuth
    login_throttle: LoginThrottle

    @classmethod
    def build(cls, settings: GatewaySettings, platform: PlatformClientSettings) -> Services:
        db = Database.from_url(settings.database_url)
        hub = EventHub()
        writer = Writer(db, hub)
        rasa = RasaClient(settings.rasa_url, settings.rasa_token, settings.rasa_timeout)
        return cls(
            settings=settings, db=db, hub=hub, rasa=rasa,
            router=Router(writer, rasa, settings.support_hours),
            desk=Desk(writer, rasa),
            context=ContextPanel(PlatformClient.from_settings(platform)),
            auth=ConsoleAuth(db, settings.console_session_hours,
                             secure_cookies=settings.public_url.startswith("https://")),
            login_throttle=LoginThrottle(),
        )

    async def close(self) -> None:
        await self.router.close()
        self.hub.close()
        await self.rasa.aclose()
        self.db.dispose()


def services(request: Request) -> Services:
    return request.app.state.services

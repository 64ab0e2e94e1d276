"""Everything the routes need, built once per app from the settings and kept on `app.state`.

The wiring of the house: the store and the live events at the bottom, the routing core's parts
(unit of work, conversations, intake, turn scheduler, answering, agent desk) in the middle, each
channel's adapter registered with the channel seam on top.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import anyio.to_thread
from fastapi import Request

from bot.channels.slack import CHANNEL as SLACK
from bot.channels.slack import SlackChannel
from bot.channels.telegram import CHANNEL as TELEGRAM
from bot.channels.telegram import TelegramChannel, build_bot
from bot.channels.telegram_buttons import CallbackKeys
from bot.channels.widget import CHANNEL as WIDGET
from bot.channels.widget import WidgetChannel, WidgetDelivery
from bot.config import GatewaySettings, load_privacy_settings
from bot.core.account_links import AccountLinks
from bot.core.agent_desk import AgentDesk
from bot.core.answering import Answering
from bot.core.bot_turn import BotTurn
from bot.core.channel_seam import Deliveries
from bot.core.client_account import ClientAccountPanel, ClientBook
from bot.core.console_history import ConsoleHistory
from bot.core.conversations import Conversations
from bot.core.data_rights import DataRights
from bot.core.erasure import Erasure
from bot.core.intake import Intake
from bot.core.leave_queue import LeaveQueue
from bot.core.linked_intake import LinkedChannelIntake
from bot.core.live_events import EventHub
from bot.core.out_of_hours import ContactEmailCapture
from bot.core.rasa_replicas import RasaReplicas
from bot.core.review_desk import ReviewDesk
from bot.core.safety import SafetyFirst
from bot.core.saved_replies import SavedReplies
from bot.core.training_export import TrainingData
from bot.core.turn_scheduler import TurnScheduler
from bot.core.unit_of_work import UnitOfWork
from bot.gateway.auth import ConsoleAuth
from bot.gateway.shared_limits import LoginLimits, RequestLimits
from bot.gateway.workers import shared_parts
from bot.store.db import Database
from bot.store.rasa_trackers import RasaTrackers
from platform_api import PlatformClient, PlatformClientSettings

log = logging.getLogger("bot.gateway.services")

LEASE_MARGIN_SECONDS = 30.0


@dataclass
class Services:
    settings: GatewaySettings
    db: Database
    hub: EventHub
    rasa: RasaReplicas
    deliveries: Deliveries
    scheduler: TurnScheduler
    conversations: Conversations
    intake: Intake
    # Slack's and Telegram's way in: account linking, then the intake (bot/core/linked_intake.py).
    linked_intake: LinkedChannelIntake
    widget: WidgetChannel
    desk: AgentDesk
    client_account: ClientAccountPanel
    history: ConsoleHistory
    saved_replies: SavedReplies
    auth: ConsoleAuth
    login_throttle: LoginLimits
    widget_ip_limit: RequestLimits
    widget_conversation_limit: RequestLimits
    # Erasure (asked by a client, or retention at start: README "Privacy").
    erasure: Erasure
    retention_months: int
    # The review queue (/console/review) and its export as training data.
    review: ReviewDesk
    slack: SlackChannel | None = None
    telegram: TelegramChannel | None = None  # None: no TELEGRAM_BOT_TOKEN, the channel is off

    @classmethod
    def build(cls, settings: GatewaySettings, platform: PlatformClientSettings) -> Services:
        db = Database.from_url(settings.database_url)
        shared = shared_parts(settings)  # in this process, or shared by the workers
        hub, rasa = shared.hub, shared.rasa
        deliveries = Deliveries()
        deliveries.register(WIDGET, WidgetDelivery(hub))
        unit_of_work = UnitOfWork(db, hub, deliveries)
        privacy = settings.privacy or load_privacy_settings({})
        erasure = Erasure(db, RasaTrackers.from_url(privacy.rasa_tracker_store_url))
        platform_client = PlatformClient.from_settings(platform)
        clients = ClientBook(platform_client)  # names for the console, zones for the hours
        answering = Answering(db, BotTurn(unit_of_work, rasa, settings.support_hours,
                                          tracker_wait=settings.rasa_tracker_wait,
                                          zones=clients.zone_of),
                              ContactEmailCapture(unit_of_work, settings.support_hours),
                              SafetyFirst(unit_of_work, rasa, settings.support_hours,
                                          settings.safety_contacts, zones=clients.zone_of),
                              LeaveQueue(unit_of_work),
                              DataRights(unit_of_work, erasure, platform_client,
                                         zones=clients.zone_of))
        scheduler = TurnScheduler(db, answering.take_turn, routing_lease(settings))
        conversations = Conversations(db, timedelta(hours=settings.widget_key_idle_hours))
        intake = Intake(unit_of_work, scheduler)
        linked_intake = LinkedChannelIntake(conversations, intake,
                                            AccountLinks(db, platform_client), rasa)
        telegram = telegram_channel(settings, db, linked_intake, deliveries)
        desk = AgentDesk(unit_of_work, rasa, names=clients.name_of)
        return cls(
            settings=settings, db=db, hub=hub, rasa=rasa, deliveries=deliveries,
            scheduler=scheduler, conversations=conversations, intake=intake,
            linked_intake=linked_intake,
            widget=WidgetChannel(conversations, intake, hub),
            desk=desk,
            client_account=ClientAccountPanel(platform_client),
            history=ConsoleHistory(desk),
            saved_replies=SavedReplies(db),
            auth=ConsoleAuth(db, settings.console_session_hours,
                             secure_cookies=settings.public_url.startswith("https://")),
            login_throttle=shared.login_throttle,
            widget_ip_limit=shared.widget_ip_limit,
            widget_conversation_limit=shared.widget_conversation_limit,
            erasure=erasure,
            retention_months=privacy.retention_months,
            review=ReviewDesk(db, TrainingData(Path(privacy.review_export_dir))),
            slack=slack_channel(settings, linked_intake, deliveries, db),
            telegram=telegram,
        )

    async def start(self) -> None:
        """Before serving: route what a stopped gateway left unrouted, then keep sweeping."""
        await self.hub.start()
        await self.prune()
        try:
            await self.scheduler.recover()
        except Exception as exc:  # noqa: BLE001 - the next sweep tries again
            log.warning("messages left waiting not routed yet (%s)", type(exc).__name__)
        self.scheduler.start_sweeping()
        if self.slack is not None:
            await self.slack.start()
        if self.telegram is not None:
            self.telegram.start(self.settings.public_url)

    async def prune(self) -> None:
        """Retention: conversations older than RETENTION_MONTHS are erased (bot/core/erasure.py);
        a failure is said and the next start tries again."""
        try:
            erased = await anyio.to_thread.run_sync(self.erasure.prune, self.retention_months)
        except Exception as exc:  # noqa: BLE001 - never stops the gateway from serving
            log.warning("retention: old conversations not erased yet (%s)", type(exc).__name__)
            return
        if erased.conversations:
            log.info("retention: %d conversations older than %d months erased",
                     erased.conversations, self.retention_months)

    async def close(self) -> None:
        if self.telegram is not None:
            await self.telegram.close()
        await self.scheduler.close()
        if self.slack is not None:
            await self.slack.close()
        await self.hub.aclose()
        await self.rasa.aclose()
        self.erasure.trackers.dispose()
        self.db.dispose()


def slack_channel(settings: GatewaySettings, intake: LinkedChannelIntake,
                  deliveries: Deliveries, db: Database) -> SlackChannel | None:
    """The Slack channel, registered for delivery; None (said once in the log) without tokens."""
    if settings.slack is None:
        log.info("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN "
                 "for Socket Mode) to serve it; see README \"Slack\".")
        return None
    channel = SlackChannel(settings.slack, intake, db)
    deliveries.register(SLACK, channel.delivery)
    log.info("Slack is on (%s)",
             "Socket Mode" if channel.socket_mode else "events at POST /slack/events")
    return channel


def telegram_channel(settings: GatewaySettings, db: Database, intake: LinkedChannelIntake,
                     deliveries: Deliveries) -> TelegramChannel | None:
    """The Telegram channel, registered for delivery; None (said once) without a bot token."""
    if settings.telegram is None:
        log.info("Telegram is off: TELEGRAM_BOT_TOKEN is not set (see .env.example)")
        return None
    channel = TelegramChannel(settings.telegram, build_bot(settings.telegram), CallbackKeys(db),
                              intake)
    deliveries.register(TELEGRAM, channel.delivery)
    return channel


def routing_lease(settings: GatewaySettings) -> timedelta:
    """How long a replica may hold a conversation's turns without renewing (bot/store/routing.py):
    longer than any turn (resume, a tracker read before sending, send, the last tracker read
    after a timeout, one after an empty answer: each at most RASA_TIMEOUT; RASA_TRACKER_WAIT), so
    a live replica never loses one mid-turn."""
    return timedelta(seconds=5 * settings.rasa_timeout + settings.rasa_tracker_wait
                     + LEASE_MARGIN_SECONDS)


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def client_ip(request: Request) -> str:
    """The caller's address (a trusted proxy's X-Forwarded-For is applied by the server)."""
    return request.client.host if request.client is not None else "unknown"

"""The Slack channel: direct messages to the app and mentions of it in channels, through slack-bolt.

Inbound (bolt's `AsyncApp`: it checks every request's signature, answers Slack's URL check,
acknowledges at once and runs the listeners after, and ignores the app's own messages):
- a direct message (a `message` event in an `im` channel) → conversation `"<team>:<channel>"`,
  private;
- a mention (`app_mention`) in a channel → conversation `"<team>:<channel>:<user>"` (each member's
  conversation with the app in that channel is their own), shared: the replies go in the thread
  of the user's message (the thread is remembered per conversation);
- a button press (a Block Kit action `rasa_button:<n>`) → its payload and title, in the
  conversation of the message it was on; in a DM, that message's buttons are then replaced by
  the choice made (`chat.update`).
A file in a DM gets "I can only read text here" (its words, if any, go on). Each becomes an
`ExternalInbound` for the core (`LinkedChannelIntake.receive`), which stores it
once per `client_message_id` (`slack:<event_id>`, `slack:<action_ts>`): a retry of an event Slack
already delivered (same `event_id`, `X-Slack-Retry-Num`) changes nothing. Other bots' messages
and message subtypes (edits, deletions, joins, files) are ignored.

Outbound (`SlackDelivery`, registered as "slack"): what the client may see, as mrkdwn (escaped),
Rasa's buttons as Block Kit, an agent's reply under their name; in a DM plainly, in a channel in
the user's thread (kept in the store: `slack_threads`); a message the core marks `private_only`
(account data) in a shared channel only to the asker (`chat.postEphemeral`), never into the
channel, and so is everything in a shared conversation whose thread is not known. The calls are
queued and sent in order per conversation by `SlackOutbox`.
"""
from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack_outbox import PendingCall, SlackCall, SlackOutbox
from bot.channels.slack_text import (
    BUTTON_ACTION_PREFIX,
    blocks_after_choice,
    blocks_for,
    plain_text,
    shown_text,
)
from bot.config import SlackSettings
from bot.core.channel_seam import ChannelAddress, InboundMessage
from bot.core.channel_users import ChannelUser, ExternalInbound, Received
from bot.store.db import Database
from bot.store.slack_threads import remember_thread, thread_of

CHANNEL = "slack"
log = logging.getLogger("bot.channels.slack")

THREADS_REMEMBERED = 10_000
SOCKET_RETRY_SECONDS = 30.0
ONLY_TEXT = ("I can only read text here, so I couldn't open the file you sent. "
             "Please type your question.")


class ChannelIntake(Protocol):
    """The core's entry point for Slack and Telegram (bot/core/linked_intake.py)."""

    async def receive(self, inbound: ExternalInbound) -> Received: ...


@dataclass(frozen=True)
class SlackPlace:
    """Where a conversation lives in Slack, read from its external id."""

    team: str
    channel: str
    user: str | None  # set for a shared channel: the member whose conversation it is

    @property
    def shared(self) -> bool:
        return self.user is not None

    @property
    def external_id(self) -> str:
        return ":".join(p for p in (self.team, self.channel, self.user) if p is not None)

    @classmethod
    def parse(cls, external_id: str) -> SlackPlace:
        parts = external_id.split(":")
        if len(parts) == 2:
            return cls(parts[0], parts[1], None)
        if len(parts) == 3:
            return cls(parts[0], parts[1], parts[2])
        raise ValueError("not a Slack conversation id")


class SlackThreads:
    """The thread each shared conversation's replies go in (its user's latest mention): in the
    store (so it outlives a restart), the recent ones in memory too."""

    def __init__(self, db: Database | None = None, capacity: int = THREADS_REMEMBERED) -> None:
        self.db = db
        self.capacity = capacity
        self._threads: OrderedDict[str, str] = OrderedDict()

    def __repr__(self) -> str:
        return f"SlackThreads({len(self._threads)})"

    async def remember(self, external_id: str, thread_ts: str) -> None:
        self._keep(external_id, thread_ts)
        if self.db is not None:
            await self.db.run(lambda session: remember_thread(session, external_id, thread_ts))

    async def of(self, external_id: str) -> str | None:
        found = self._threads.get(external_id)
        if found is None and self.db is not None:
            found = await self.db.run(lambda session: thread_of(session, external_id))
            if found is not None:
                self._keep(external_id, found)
        return found

    def _keep(self, external_id: str, thread_ts: str) -> None:
        self._threads[external_id] = thread_ts
        self._threads.move_to_end(external_id)
        while len(self._threads) > self.capacity:
            self._threads.popitem(last=False)


class SlackDelivery:
    """The core's messages to Slack, queued (never blocking the core)."""

    def __init__(self, outbox: SlackOutbox, threads: SlackThreads) -> None:
        self.outbox = outbox
        self.threads = threads

    def __repr__(self) -> str:
        return f"SlackDelivery({self.outbox!r})"

    def deliver(self, to: ChannelAddress, message: dict[str, Any]) -> None:
        if message.get("sender") == "client":  # the user's own words: Slack shows them already
            return
        try:
            place = SlackPlace.parse(to.external_id or "")
        except ValueError:
            log.warning("conversation %s: no Slack place to deliver to", to.conversation_id)
            return
        self.outbox.put(to.conversation_id, lambda: self.call_for(place, message))

    async def call_for(self, place: SlackPlace, message: dict[str, Any]) -> SlackCall:
        text = shown_text(message)
        arguments: dict[str, Any] = {"channel": place.channel, "text": text,
                                     "unfurl_links": False, "unfurl_media": False}
        blocks = blocks_for(text, list(message.get("buttons") or []))
        if blocks is not None:
            arguments["blocks"] = blocks
        if not place.shared:
            return SlackCall("chat.postMessage", arguments)
        thread = await self.threads.of(place.external_id)
        if thread is not None:
            arguments["thread_ts"] = thread
        if message.get("private_only") or thread is None:
            del arguments["unfurl_links"], arguments["unfurl_media"]
            return SlackCall("chat.postEphemeral", {**arguments, "user": place.user})
        return SlackCall("chat.postMessage", arguments)

    def mode_changed(self, to: ChannelAddress, mode: str, agent_name: str | None = None) -> None:
        return None  # the core tells the client in words

    def typing(self, to: ChannelAddress, on: bool) -> None:
        return None  # Slack has no typing indicator for apps outside its assistant threads


def web_client(settings: SlackSettings) -> AsyncWebClient:
    """Slack's Web API client, retrying rate limits, dropped connections and Slack's 5xx."""
    return AsyncWebClient(token=settings.bot_token, base_url=settings.api_url, retry_handlers=[
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ])


class SlackChannel:
    """The bolt app with our listeners, the delivery, and Socket Mode when configured."""

    def __init__(self, settings: SlackSettings, intake: ChannelIntake,
                 db: Database | None = None) -> None:
        self.settings = settings
        self.intake = intake
        self.client = web_client(settings)
        self.threads = SlackThreads(db)
        self.outbox = SlackOutbox(self.client)
        self.delivery = SlackDelivery(self.outbox, self.threads)
        self.app = AsyncApp(token=settings.bot_token, signing_secret=settings.signing_secret,
                            client=self.client, logger=logging.getLogger("bot.channels.slack.bolt"),
                            request_verification_enabled=not settings.socket_mode)
        self._socket: AsyncSocketModeHandler | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._listen()

    def __repr__(self) -> str:
        return f"SlackChannel({self.settings!r})"

    @property
    def socket_mode(self) -> bool:
        return self.settings.socket_mode

    def _listen(self) -> None:
        self.app.event("message")(self.on_message)
        self.app.event("app_mention")(self.on_mention)
        self.app.action(re.compile("^" + re.escape(BUTTON_ACTION_PREFIX)))(self.on_button)

    async def on_message(self, event: dict[str, Any], body: dict[str, Any],
                         context: AsyncBoltContext) -> None:
        """A direct message to the app (its words; a file gets a polite word that only text is
        read); every other `message` event is ignored."""
        subtype = event.get("subtype")
        if (event.get("channel_type") != "im" or (subtype and subtype != "file_share")
                or event.get("bot_id") or not event.get("user")):
            return
        place = SlackPlace(_team(body, event), str(event["channel"]), None)
        if subtype == "file_share" or event.get("files"):
            self.outbox.put(place.external_id, _only_text(place.channel))
        text = plain_text(str(event.get("text") or ""), context.bot_user_id)
        if not text:
            return
        await self._receive(place, str(event["user"]),
                            InboundMessage(text=text,
                                           client_message_id=f"slack:{body.get('event_id')}"))

    async def on_mention(self, event: dict[str, Any], body: dict[str, Any],
                         context: AsyncBoltContext) -> None:
        """A mention of the app in a channel: the member's conversation there, in their thread."""
        channel = str(event.get("channel") or "")
        if (event.get("subtype") or event.get("bot_id") or not event.get("user")
                or not channel or channel.startswith("D")):  # a DM arrives as a message too
            return
        place = SlackPlace(_team(body, event), channel, str(event["user"]))
        text = plain_text(str(event.get("text") or ""), context.bot_user_id)
        if not text:
            return
        await self._receive(place, place.user or "",
                            InboundMessage(text=text,
                                           client_message_id=f"slack:{body.get('event_id')}"),
                            thread=str(event.get("thread_ts") or event.get("ts") or ""))

    async def on_button(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        """A press of one of our buttons: acknowledged first, then its payload sent on."""
        await ack()
        channel = str((body.get("channel") or {}).get("id") or "")
        user = str((body.get("user") or {}).get("id") or "")
        payload = action.get("value")
        if not channel or not user or not payload:
            return
        team = str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
                   or "")
        shared = not channel.startswith("D")
        place = SlackPlace(team, channel, user if shared else None)
        container = body.get("container") or {}
        thread = (container.get("thread_ts") or (body.get("message") or {}).get("thread_ts")
                  or container.get("message_ts"))
        title = str((action.get("text") or {}).get("text") or payload)
        await self._receive(place, user, InboundMessage(
            payload=str(payload), title=title,
            client_message_id=f"slack:{action.get('action_ts') or body.get('trigger_id')}"),
            thread=str(thread or ""))
        message = body.get("message")
        if (not shared and not container.get("is_ephemeral") and isinstance(message, dict)
                and container.get("message_ts") and isinstance(message.get("blocks"), list)):
            self.outbox.put(place.external_id,
                            _choice_shown(channel, str(container["message_ts"]), message, title))

    async def _receive(self, place: SlackPlace, user: str, message: InboundMessage,
                       thread: str = "") -> None:
        """To the core; in a channel, the thread to answer in remembered first."""
        inbound = ExternalInbound(ChannelUser(CHANNEL, f"{place.team}:{user}"), place.external_id,
                                  private=not place.shared, message=message)
        try:
            if place.shared and thread:
                await self.threads.remember(place.external_id, thread)
            await self.intake.receive(inbound)
        except Exception as exc:  # noqa: BLE001 - acknowledged already: logged, never the text
            log.error("slack: a message for %s could not be taken (%s)", place.external_id,
                      type(exc).__name__)

    async def start(self) -> None:
        """Socket Mode: connect (in the background, trying again until Slack answers)."""
        if self.settings.app_token is None:
            return
        self._socket = AsyncSocketModeHandler(self.app, self.settings.app_token)
        self._connecting = asyncio.get_running_loop().create_task(self._connect(self._socket))

    async def _connect(self, socket: AsyncSocketModeHandler) -> None:
        while True:
            try:
                await socket.connect_async()
                log.info("slack: connected in Socket Mode")
                return
            except Exception as exc:  # noqa: BLE001 - Slack unreachable or the token refused
                log.warning("slack: Socket Mode connection failed (%s); trying again in %.0f s",
                            type(exc).__name__, SOCKET_RETRY_SECONDS)
                await asyncio.sleep(SOCKET_RETRY_SECONDS)

    async def close(self) -> None:
        if self._connecting is not None:
            self._connecting.cancel()
            await asyncio.gather(self._connecting, return_exceptions=True)
        if self._socket is not None:
            await self._socket.close_async()
        await self.outbox.close()


def _choice_shown(channel: str, ts: str, message: dict[str, Any], title: str) -> PendingCall:
    """The pressed message updated: its buttons replaced by the choice made. In a direct message
    only: in a channel others read along, and a message only the member sees (ephemeral) can't
    be updated by `chat.update`."""
    async def make() -> SlackCall:
        return SlackCall("chat.update", {
            "channel": channel, "ts": ts, "text": str(message.get("text") or ""),
            "blocks": blocks_after_choice(message["blocks"], title)})

    return make


def _only_text(channel: str) -> PendingCall:
    async def make() -> SlackCall:
        return SlackCall("chat.postMessage", {"channel": channel, "text": ONLY_TEXT})

    return make


def _team(body: dict[str, Any], event: dict[str, Any]) -> str:
    return str(body.get("team_id") or event.get("team") or "")

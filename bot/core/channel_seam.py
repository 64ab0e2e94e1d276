"""The channel seam: what every channel hands the routing core, and how replies leave again.

A channel adapter (bot/channels/: the widget today; Slack and Telegram next) translates its own
events into an `InboundMessage` for the core, and implements `ClientDelivery` to carry what the
core says back out. The core never knows which channel a conversation lives on: it looks up the
conversation's delivery by channel name in `Deliveries`. docs/channels.md says how to add one.

    deliveries = Deliveries()
    deliveries.register("widget", WidgetDelivery(hub))
    deliveries.of(address).deliver(address, message)      # after the message is committed
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger("bot.core.channel_seam")


@dataclass(frozen=True)
class InboundMessage:
    """A client's message from any channel: typed text, or a pressed button (payload, title).

    `client_message_id` is the channel's own id for this message (the widget's id for a submit,
    Telegram's update id, Slack's event id): the same id twice is stored and answered once.
    Identity never comes from here: the adapter verified it when the conversation was opened.
    """

    text: str | None = None
    payload: str | None = None
    title: str | None = None
    client_message_id: str | None = None


@dataclass(frozen=True)
class ChannelAddress:
    """Where a conversation lives: the gateway's id, the channel, and the channel's own id."""

    conversation_id: str
    channel: str
    external_id: str | None = None


class ClientDelivery(Protocol):
    """What a channel implements to reach its clients. Called after the commit, in commit order.

    None of these may block: an adapter that needs network I/O queues the work and sends it in
    its own task, in order, per conversation. A failure to deliver is the adapter's to log and
    retry; the message is already in the transcript.
    """

    def deliver(self, to: ChannelAddress, message: dict[str, Any]) -> None:
        """A message the client may see (docs/gateway.md `Message`: text, buttons, sender...)."""

    def mode_changed(self, to: ChannelAddress, mode: str, agent_name: str | None = None) -> None:
        """Who has the conversation now: bot, waiting, agent or resolved (and in `agent`, the
        name of the agent who has it)."""

    def typing(self, to: ChannelAddress, on: bool) -> None:
        """The assistant is (or stopped) working on an answer."""


class UnknownChannel:
    """The delivery of a channel nobody registered: says so in the log once per call, drops."""

    def deliver(self, to: ChannelAddress, message: dict[str, Any]) -> None:
        log.warning("conversation %s: no delivery for channel %r", to.conversation_id, to.channel)

    def mode_changed(self, to: ChannelAddress, mode: str, agent_name: str | None = None) -> None:
        return None

    def typing(self, to: ChannelAddress, on: bool) -> None:
        return None


class Deliveries:
    """Each channel's delivery, by channel name."""

    def __init__(self) -> None:
        self._by_channel: dict[str, ClientDelivery] = {}
        self._unknown = UnknownChannel()

    def __repr__(self) -> str:
        return f"Deliveries(channels={sorted(self._by_channel)})"

    def register(self, channel: str, delivery: ClientDelivery) -> None:
        if channel in self._by_channel:
            raise ValueError(f"channel {channel!r} is registered already")
        self._by_channel[channel] = delivery

    def of(self, address: ChannelAddress) -> ClientDelivery:
        return self._by_channel.get(address.channel, self._unknown)

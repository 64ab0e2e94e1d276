"""What a chat channel (Slack, Telegram) hands the routing core: who wrote, where, and what.

    inbound = ExternalInbound(ChannelUser("telegram", "12345"), external_id="12345", private=True,
                              message=InboundMessage(text="link 482913",
                                                     client_message_id="tg:901"))
    received = await services.linked_intake.receive(inbound)

A chat user is anonymous until they link their account (bot/core/linked_intake.py): the adapter
never gives a client id, only the channel's own stable user id. docs/channels.md has the contract.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.channel_seam import InboundMessage

TELEGRAM = "telegram"
SLACK = "slack"


@dataclass(frozen=True)
class ChannelUser:
    """A chat account: the channel, and its stable user id there (Telegram `from.id` as text;
    Slack "<team>:<user>")."""

    channel: str
    user_id: str


@dataclass(frozen=True)
class ExternalInbound:
    """One message from a chat channel.

    `external_id` is the conversation's id on its channel, chosen by the adapter (a Telegram chat,
    a Slack DM, a member's thread with the bot in a group); `private` is True for a one-to-one
    chat with the bot (Telegram private chat, Slack DM), False where others read along.
    `message.client_message_id` is the channel's own id for the message (a repeat is ignored).
    """

    user: ChannelUser
    external_id: str
    private: bool
    message: InboundMessage


@dataclass(frozen=True)
class Received:
    """What became of an inbound message: its conversation, the stored client message (docs/
    gateway.md `Message`; a link code masked), and `fresh` (False: a repeat of an earlier
    `client_message_id`, nothing done)."""

    conversation_id: str
    message: dict[str, Any] | None
    fresh: bool

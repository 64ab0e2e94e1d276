"""Who writes on Slack and Telegram, and what an adapter hands the core (CHANNELS-PLAN.md).

INTERIM (issue7-telegram): the interface the LINKING branch provides, as the plan defines it, so
the Telegram adapter can be built and tested before linking lands. At the merge, linking's file
replaces this one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.channel_seam import InboundMessage


@dataclass(frozen=True)
class ChannelUser:
    channel: str   # "telegram" | "slack"
    user_id: str   # the channel's stable user id: Telegram `from.id` as text


@dataclass(frozen=True)
class ExternalInbound:
    user: ChannelUser
    external_id: str   # the conversation's id on its channel, chosen by the adapter
    private: bool      # a one-to-one chat with the bot (Telegram private chat, Slack DM)
    message: InboundMessage   # client_message_id = the channel's own id


@dataclass(frozen=True)
class Received:
    conversation_id: str
    message: dict[str, Any] | None   # the stored client message (docs/gateway.md Message)
    fresh: bool                      # False: a repeat (same client_message_id), nothing done

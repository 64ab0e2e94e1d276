"""The routing core's entry point for Slack and Telegram (CHANNELS-PLAN.md).

STAND-IN on branch issue7-slack until issue7-linking lands: opens the conversation by (channel,
external id) and hands the message to `Intake` (no linking commands, no client). At the merge
LINKING's version of this file wins.
"""
from __future__ import annotations

from bot.core.channel_users import ExternalInbound, Received
from bot.core.conversations import Conversations
from bot.core.intake import Intake


class LinkedChannelIntake:
    def __init__(self, conversations: Conversations, intake: Intake) -> None:
        self.conversations = conversations
        self.intake = intake

    def __repr__(self) -> str:
        return "LinkedChannelIntake()"

    async def receive(self, inbound: ExternalInbound) -> Received:
        started = await self.conversations.open_external(inbound.user.channel,
                                                         inbound.external_id, None)
        message, fresh = await self.intake.receive(started.conversation_id, inbound.message)
        return Received(started.conversation_id, message, fresh)

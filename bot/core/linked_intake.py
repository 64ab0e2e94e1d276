"""A message from Slack or Telegram arrives: its conversation is found, then the intake takes it.

INTERIM (issue7-telegram): the minimum of the LINKING branch's `LinkedChannelIntake` (no account
links, no link commands: every channel user is signed out), so the Telegram adapter can be built
and tested before linking lands. At the merge, linking's file replaces this one.
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
        return f"LinkedChannelIntake(intake={self.intake!r})"

    async def receive(self, inbound: ExternalInbound) -> Received:
        started = await self.conversations.open_external(inbound.user.channel,
                                                         inbound.external_id, None)
        message, fresh = await self.intake.receive(started.conversation_id, inbound.message)
        return Received(started.conversation_id, message, fresh)

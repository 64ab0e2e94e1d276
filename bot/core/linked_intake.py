"""The routing core's entry for Slack and Telegram: a chat message, with account linking.

    received = await linked_intake.receive(ExternalInbound(user, external_id, private, message))

1. The conversation is opened by (channel, external id) (`Conversations.open_external`); a new
   one is `shared` when the chat isn't private. A private conversation carries the client the
   chat account is linked to (or none), and follows the link as it changes; a shared one never
   carries a client.
2. In a private chat, `link 482913`, `/link 482913`, `/start 482913` (Telegram's deep link), the
   six digits alone, and `unlink` are commands for the core (bot/core/link_commands.py), never sent
   to Rasa: the message is stored with its digits masked (`link ••••••`), the code is redeemed
   with the platform within the hourly limit (bot/core/account_links.py), the chat account is bound
   to the client (or unbound), the conversation's client set, Rasa told (a new session with its
   `client_id` slot, and the other identity slots with it), and the answer stored as the
   assistant's message and delivered through the channel like any reply. In a shared chat the
   same commands are answered "in a private chat" (a code sent there is used up, since others
   have seen it). A message that speaks of risk is never a command: safety first.
3. Anything else is `Intake.receive`: stored first, deduplicated by `client_message_id`, card
   details removed, its turn scheduled (Rasa gets `metadata.private`, bot/core/bot_turn.py).

A link command may wait for the platform (its timeouts): adapters acknowledge their webhook
before calling `receive`. The code is never logged or stored.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core import texts
from bot.core.account_links import AccountLinks, Link, LinkOutcome, LinkResult
from bot.core.bot_turn import mark_identity_told
from bot.core.channel_seam import InboundMessage
from bot.core.channel_users import ChannelUser, ExternalInbound, Received
from bot.core.conversations import Conversations
from bot.core.handoff_states import Context, Trigger, apply
from bot.core.intake import Intake, scrubbed
from bot.core.link_commands import CommandKind, LinkCommand, read_command
from bot.core.present import message_json
from bot.core.rasa_client import RasaClient, RasaUnavailable
from bot.core.turn import identity_slots
from bot.core.unit_of_work import ChangeSet, UnitOfWork
from bot.store import channel_links, routing
from bot.store import conversations as store
from bot.store.models import Conversation, Sender, now_utc
from textguards.risk_phrases import risk_kind

log = logging.getLogger("bot.core.linked_intake")


@dataclass(frozen=True)
class _Change:
    """The conversation's client after a command (None: unlinked)."""

    link: Link | None


@dataclass(frozen=True)
class _Stored:
    message: dict[str, Any]
    fresh: bool
    shared: bool


class LinkedChannelIntake:
    def __init__(self, conversations: Conversations, intake: Intake, links: AccountLinks,
                 rasa: RasaClient, clock: Callable[[], datetime] = now_utc) -> None:
        self.conversations = conversations
        self.intake = intake
        self.links = links
        self.rasa = rasa
        self.clock = clock

    def __repr__(self) -> str:
        return f"LinkedChannelIntake(links={self.links!r})"

    @property
    def unit_of_work(self) -> UnitOfWork:
        return self.intake.unit_of_work

    async def receive(self, inbound: ExternalInbound) -> Received:
        """Store the message and have it answered: a linking command here, the rest as a turn."""
        user = inbound.user
        link = await self.links.link_of(user) if inbound.private else None
        started = await self.conversations.open_external(
            user.channel, inbound.external_id, link.client_id if link else None,
            shared=not inbound.private, client_name=link.client_name if link else None)
        conversation_id = started.conversation_id
        command = _command_in(inbound.message)
        if command is None:
            if started.resumed:
                await self._follow_link(conversation_id, user, link)
            message, fresh = await self.intake.receive(conversation_id, inbound.message)
            return Received(conversation_id, message, fresh)
        stored = await self._store_command(conversation_id, inbound.message, command)
        if stored.fresh:
            if stored.shared:
                await self._say(conversation_id, await self._in_shared_chat(command))
            else:
                await self._in_private_chat(conversation_id, user, command)
        return Received(conversation_id, stored.message, stored.fresh)

    # -- commands --------------------------------------------------------------------------

    async def _in_private_chat(self, conversation_id: str, user: ChannelUser,
                               command: LinkCommand) -> None:
        if command.kind == CommandKind.LINK and command.code is not None:
            result = await self.links.redeem(user, command.code)
            if result.outcome == LinkOutcome.LINKED and result.client_id is not None:
                await self._change_client(conversation_id, user,
                                          _Change(Link(result.client_id, result.client_name)))
            await self._say(conversation_id, _answer_to(result))
        elif command.kind == CommandKind.UNLINK:
            unlinked = await self._change_client(conversation_id, user, _Change(None))
            await self._say(conversation_id, texts.UNLINKED if unlinked else texts.NOT_LINKED)
        elif command.kind == CommandKind.START:
            linked = await self.links.link_of(user) is not None
            await self._say(conversation_id, texts.welcome(linked))
        else:
            await self._say(conversation_id, texts.HOW_TO_LINK)

    async def _in_shared_chat(self, command: LinkCommand) -> str:
        if command.kind == CommandKind.LINK and command.code is not None:
            cancelled = await self.links.cancel(command.code)
            return texts.LINK_IN_PRIVATE + (texts.LINK_CODE_CANCELLED if cancelled else "")
        if command.kind == CommandKind.UNLINK:
            return texts.UNLINK_IN_PRIVATE
        if command.kind == CommandKind.START:
            return texts.WELCOME_SHARED
        return texts.LINK_IN_PRIVATE

    # -- the store -------------------------------------------------------------------------

    async def _store_command(self, conversation_id: str, inbound: InboundMessage,
                             command: LinkCommand) -> _Stored:
        """The command as the client's message, digits masked, committed and marked routed (it
        is answered here, not by a turn); a repeat of its `client_message_id` is not fresh."""
        message_id = scrubbed(InboundMessage(text=command.masked,
                                             client_message_id=inbound.client_message_id)
                              ).client_message_id

        def work(session: Session, changes: ChangeSet) -> _Stored:
            conversation = _conversation(session, conversation_id)
            if message_id:
                earlier = store.find_client_message(session, conversation_id, message_id)
                if earlier is not None:
                    return _Stored(message_json(earlier), False, conversation.shared)
            apply(session, changes, conversation, Trigger.CLIENT_WRITES, Context(self.clock()))
            message = store.add_message(session, conversation, Sender.CLIENT, command.masked,
                                        client_message_id=message_id)
            routing.mark_routed(session, message.id)
            changes.message(conversation, message)
            return _Stored(message_json(message), True, conversation.shared)

        try:
            return await self.unit_of_work(conversation_id, work)
        except IntegrityError:  # the same message id, stored at once by another replica
            if not message_id:
                raise
            return await self.unit_of_work(conversation_id, work)

    async def _say(self, conversation_id: str, text: str) -> None:
        """The core's answer, stored as the assistant's and delivered through the channel."""
        def work(session: Session, changes: ChangeSet) -> None:
            conversation = _conversation(session, conversation_id)
            changes.message(conversation, store.add_message(session, conversation, Sender.BOT,
                                                            text))

        await self.unit_of_work(conversation_id, work)

    async def _change_client(self, conversation_id: str, user: ChannelUser,
                             change: _Change) -> bool:
        """Bind (or unbind) the chat account and set the conversation's client, then tell Rasa.
        False when there was nothing to unbind."""
        def work(session: Session, changes: ChangeSet) -> bool:
            conversation = _conversation(session, conversation_id)
            changes.track(conversation)
            if change.link is None:
                had = channel_links.unlink(session, user.channel, user.user_id)
            else:
                channel_links.link(session, user.channel, user.user_id, change.link.client_id,
                                   change.link.client_name, self.clock())
                had = True
            channel_links.set_client(conversation,
                                     change.link.client_id if change.link else None,
                                     change.link.client_name if change.link else None)
            return had

        changed = await self.unit_of_work(conversation_id, work)
        await self._tell_rasa(conversation_id)
        return changed

    async def _follow_link(self, conversation_id: str, user: ChannelUser,
                           link: Link | None) -> None:
        """A private conversation carries the client its chat account is linked to now."""
        def work(session: Session, changes: ChangeSet) -> bool:
            conversation = _conversation(session, conversation_id)
            wanted = None if conversation.shared or link is None else link
            if conversation.client_id == (wanted.client_id if wanted else None):
                return False
            changes.track(conversation)
            channel_links.set_client(conversation, wanted.client_id if wanted else None,
                                     wanted.client_name if wanted else None)
            return True

        if await self.unit_of_work(conversation_id, work):
            await self._tell_rasa(conversation_id)

    async def _tell_rasa(self, conversation_id: str) -> None:
        """A new Rasa session with the conversation's identity slots as the store has them now
        (what the old identity had going ends). Rasa down: the next bot turn does it first."""
        def read(session: Session) -> dict[str, Any]:
            conversation = _conversation(session, conversation_id)
            return identity_slots(conversation.client_id, conversation.channel,
                                  conversation.shared)

        slots = await self.unit_of_work.db.run(read)
        try:
            await self.rasa.start_session(conversation_id, slots)
            told = True
        except RasaUnavailable as exc:
            log.warning("conversation %s: Rasa's identity slots not updated yet (%s)",
                        conversation_id, exc)
            told = False
        await self.unit_of_work.db.run(
            lambda session: mark_identity_told(session, conversation_id, told))


def _conversation(session: Session, conversation_id: str) -> Conversation:
    conversation = store.get_conversation(session, conversation_id)
    if conversation is None:
        raise LookupError(conversation_id)
    return conversation


def _command_in(inbound: InboundMessage) -> LinkCommand | None:
    """A typed linking command; never a pressed button, never a message that speaks of risk."""
    if inbound.payload is not None or risk_kind(inbound.text) is not None:
        return None
    return read_command(inbound.text)


def _answer_to(result: LinkResult) -> str:
    if result.outcome == LinkOutcome.LINKED:
        return texts.linked(result.first_name)
    if result.outcome == LinkOutcome.LIMITED:
        return texts.too_many_link_attempts(result.retry_minutes)
    if result.outcome == LinkOutcome.UNAVAILABLE:
        return texts.LINK_UNAVAILABLE
    refusal = {LinkOutcome.EXPIRED: texts.LINK_CODE_EXPIRED,
               LinkOutcome.USED: texts.LINK_CODE_USED}.get(result.outcome, texts.LINK_CODE_WRONG)
    return refusal + texts.tries_left(result.tries_left)

"""The assistant's turn: the client's message goes to Rasa, its replies come back to the client.

- Typing is shown meanwhile (through the conversation's channel).
- A Rasa that paused itself at a handoff is resumed first (the conversation came back to the bot
  by reopening after it was resolved).
- Replies are stored and delivered; an action's handoff request queues the conversation for the
  team (the state machine's `hand_off`).
- Rasa down: the honest "I can't answer right now" with a *Talk to a person* button; pressing it
  (any `/request_human`) while Rasa is down hands the conversation over from here.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core import texts
from bot.core.handoff_states import Context, HandoffRequest, Refused, Trigger, apply
from bot.core.rasa_client import RasaClient, RasaUnavailable
from bot.core.rasa_replies import BotReplies, read_replies
from bot.core.turn import Turn
from bot.core.unit_of_work import ChangeSet, UnitOfWork
from bot.store import conversations as store
from bot.store.models import Conversation, Priority, Sender, now_utc
from envsettings.support_hours import SupportHours

log = logging.getLogger("bot.core.bot_turn")

LOCALE = "en"
RASA_DOWN_HANDOFF = HandoffRequest("platform_unavailable", Priority.HIGH)


class BotTurn:
    def __init__(self, unit_of_work: UnitOfWork, rasa: RasaClient, hours: SupportHours,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.unit_of_work = unit_of_work
        self.rasa = rasa
        self.hours = hours
        self.clock = clock

    def __repr__(self) -> str:
        return f"BotTurn(rasa={self.rasa!r})"

    async def answer(self, turn: Turn) -> None:
        delivery = self.unit_of_work.deliveries.of(turn.address)
        delivery.typing(turn.address, True)
        try:
            try:
                if turn.rasa_paused:
                    await self.rasa.resume(turn.conversation_id)
                    await self.unit_of_work(turn.conversation_id,
                                            _mark_resumed(turn.conversation_id))
                metadata = {"client_id": turn.client_id, "channel": turn.address.channel,
                            "locale": LOCALE, "live_handoff": True}
                replies = await self.rasa.send(turn.conversation_id, turn.for_rasa, metadata)
            except RasaUnavailable as exc:
                log.warning("conversation %s: assistant unavailable (%s)", turn.conversation_id,
                            exc)
                await self.unit_of_work(turn.conversation_id, self._without_the_bot(turn))
                return
            await self.unit_of_work(turn.conversation_id,
                                    self._store_replies(turn, read_replies(replies)))
        finally:
            delivery.typing(turn.address, False)

    def _store_replies(self, turn: Turn,
                       replies: BotReplies) -> Callable[[Session, ChangeSet], None]:
        def work(session: Session, changes: ChangeSet) -> None:
            conversation = _tracked(session, changes, turn.conversation_id)
            for reply in replies.messages:
                changes.message(conversation, store.add_message(
                    session, conversation, Sender.BOT, reply.text, buttons=reply.buttons))
            if replies.handoff is not None:
                self._hand_off(session, changes, conversation, replies.handoff)

        return work

    def _without_the_bot(self, turn: Turn) -> Callable[[Session, ChangeSet], None]:
        """Rasa is down: the honest answer, or (a person was asked for) the handoff itself."""
        def work(session: Session, changes: ChangeSet) -> None:
            conversation = _tracked(session, changes, turn.conversation_id)
            if turn.asks_for_a_person:
                self._hand_off(session, changes, conversation, RASA_DOWN_HANDOFF)
                return
            changes.message(conversation, store.add_message(
                session, conversation, Sender.BOT, texts.CANT_ANSWER,
                buttons=[texts.HUMAN_BUTTON]))

        return work

    def _hand_off(self, session: Session, changes: ChangeSet, conversation: Conversation,
                  request: HandoffRequest) -> None:
        try:
            apply(session, changes, conversation, Trigger.HAND_OFF,
                  Context(self.clock(), request=request, hours=self.hours))
        except Refused as refused:  # with the team already: nothing more to do
            log.info("conversation %s: handoff not needed (%s)", conversation.id, refused.code)


def _tracked(session: Session, changes: ChangeSet, conversation_id: str) -> Conversation:
    conversation = store.get_conversation(session, conversation_id)
    if conversation is None:
        raise LookupError(conversation_id)
    changes.track(conversation)
    return conversation


def _mark_resumed(conversation_id: str) -> Callable[[Session, ChangeSet], None]:
    def work(session: Session, _: ChangeSet) -> None:
        conversation = store.get_conversation(session, conversation_id)
        if conversation is not None:
            conversation.rasa_paused = False

    return work

"""Safety first: a client's message that speaks of risk is answered with the safety reply before
anything else, in every mode and on every channel, and a person is asked for urgently.

The risk check (textguards.risk_phrases: clear phrases of self-harm, harm to others, or danger
from someone else) reads the whole stored message, whatever its length; card numbers in it were
removed already, never the words around them (intake.py). Then, by mode when its turn comes:

- bot: Rasa is sent the `/self_harm` intent instead of the text, so its dialogue knows (the
  safety action ends any form, replies and hands off, urgent). If it answers that way (a safety
  handoff after words with the emergency number) its reply is the safety reply; if it can't be
  reached within SAFETY_WAIT seconds, or answers otherwise, the gateway gives its own safety reply
  and hands the conversation to the team itself. Said once.
- waiting, agent (and closed, in a race with the agent): the gateway's own safety reply, and the
  conversation is made urgent (the state machine's `escalate`): the queue position is told again
  while waiting, and the console hears of it at once.

The safety reply, the escalation and the message marked routed are one transaction (with an
e-mail address noted out of hours, when the caller passes it: answering.py), run again if the
store lost its connection while committing it, never stored twice (turn_end.py); Rasa is not
asked again.

The log says that a risk phrase was found, never the message or what kind of risk it spoke of.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, tzinfo

from sqlalchemy.orm import Session

from bot.core import texts
from bot.core.handoff_states import (
    Context,
    HandoffRequest,
    Refused,
    Trigger,
    ZoneLookup,
    apply,
    zone_if_closed,
)
from bot.core.rasa_client import RasaApi, RasaUnavailable
from bot.core.rasa_replies import BotReplies, read_replies
from bot.core.turn import SELF_HARM_INTENT, Turn
from bot.core.turn_end import end_turn, tracked_turn_conversation
from bot.core.unit_of_work import ChangeSet, UnitOfWork
from bot.store import conversations as store
from bot.store.models import Conversation, Mode, Priority, Sender, now_utc
from envsettings.safety_contacts import SafetyContacts
from envsettings.support_hours import SupportHours

log = logging.getLogger("bot.core.safety")

SAFETY = "safety"
SAFETY_WAIT = 5.0  # seconds: Rasa's safety reply, or the gateway's own after that
LOCALE = "en"

# More to store in the safety reply's transaction, after it: (session, changes, conversation).
AlsoStore = Callable[[Session, ChangeSet, Conversation], None]


class SafetyFirst:
    def __init__(self, unit_of_work: UnitOfWork, rasa: RasaApi, hours: SupportHours,
                 contacts: SafetyContacts, clock: Callable[[], datetime] = now_utc,
                 zones: ZoneLookup | None = None) -> None:
        self.unit_of_work = unit_of_work
        self.rasa = rasa
        self.hours = hours
        self.zones = zones  # the client's zone, for the hours told out of them
        self.contacts = contacts
        self.clock = clock

    def __repr__(self) -> str:
        return f"SafetyFirst(rasa={self.rasa!r})"

    async def answer(self, turn: Turn, also: AlsoStore | None = None) -> None:
        """The safety reply first, then a person, urgently, and `also` (see the module
        docstring); the message's turn ends with them."""
        log.warning("conversation %s: safety first (a risk phrase in the client's message, "
                    "mode %s)", turn.conversation_id, turn.mode.value)
        zone = await zone_if_closed(self.hours, self.clock(), turn.client_id, self.zones)
        if turn.mode != Mode.BOT:
            await self._store(turn, None, zone, also)
            return
        delivery = self.unit_of_work.deliveries.of(turn.address)
        delivery.typing(turn.address, True)
        try:
            replies: BotReplies | None = None
            try:
                if turn.rasa_paused:
                    await self.rasa.resume(turn.conversation_id)
                metadata = turn.rasa_metadata(LOCALE)
                replies = read_replies((await self.rasa.send(
                    turn.conversation_id, SELF_HARM_INTENT, metadata, wait=SAFETY_WAIT)).replies)
            except RasaUnavailable as exc:
                log.warning("conversation %s: no safety reply from the assistant (%s); the "
                            "gateway gives its own", turn.conversation_id, exc)
            await self._store(turn, replies, zone, also)
        finally:
            delivery.typing(turn.address, False)

    async def _store(self, turn: Turn, replies: BotReplies | None, zone: tzinfo,
                     also: AlsoStore | None) -> None:
        """The transaction that ends the turn, run again if its commit was cut (Rasa was asked
        before it, once)."""
        work = self._escalate(turn, replies, zone, also)
        await end_turn(self.unit_of_work, turn, work)

    def _escalate(self, turn: Turn, replies: BotReplies | None, zone: tzinfo,
                  also: AlsoStore | None) -> Callable[[Session, ChangeSet], None]:
        """In one transaction: the message marked routed, the safety reply (the assistant's, or
        the gateway's own), the conversation to the team, urgent, then `also`."""
        asked_rasa = turn.mode == Mode.BOT

        def work(session: Session, changes: ChangeSet) -> None:
            conversation = tracked_turn_conversation(session, changes, turn)
            request = self._safety_request(replies)
            if replies is not None and request is not None:
                for reply in replies.messages:  # the assistant's safety reply
                    changes.message(conversation, store.add_message(
                        session, conversation, Sender.BOT, reply.text, buttons=reply.buttons))
            else:
                changes.message(conversation, store.add_message(
                    session, conversation, Sender.BOT,
                    texts.safety_reply(self.contacts, _place(conversation))))
                # Rasa was sent `/self_harm`: it may have paused itself, even if we didn't hear
                # it answer. Resuming one that isn't paused does no harm.
                request = HandoffRequest(SAFETY, Priority.URGENT, bot_paused=asked_rasa)
            try:
                apply(session, changes, conversation, Trigger.ESCALATE,
                      Context(self.clock(), request=request, hours=self.hours, zone=zone))
            except Refused as refused:  # replicas racing on the row: the reply is kept all the same
                log.error("conversation %s: not escalated (%s)", conversation.id, refused.code)
            if also is not None:
                also(session, changes, conversation)

        return work

    def _safety_request(self, replies: BotReplies | None) -> HandoffRequest | None:
        """The assistant's handoff, if it answered `/self_harm` as it should: a safety handoff,
        after words that give the emergency number."""
        if replies is None or replies.handoff is None or replies.handoff.reason != SAFETY:
            return None
        said = any(self.contacts.emergency_number in reply.text for reply in replies.messages)
        return replies.handoff if said else None


def _place(conversation: Conversation) -> texts.SafetyPlace:
    if conversation.mode == Mode.WAITING:
        return texts.SafetyPlace.WAITING
    if conversation.mode == Mode.AGENT:
        return texts.SafetyPlace.WITH_AGENT
    return texts.SafetyPlace.HANDING_OVER

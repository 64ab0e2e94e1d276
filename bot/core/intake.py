"""A client's message arrives: stored (committed) before anything else happens, once.

    message, fresh = await intake.receive(conversation_id, InboundMessage(text="hi"))

The same `client_message_id` twice (a double submit, a webhook delivered again) is stored and
answered once: the repeat gets the first message back and nothing else happens. Card details are
removed from everything the client sent (text, a button's title and payload) before it is stored:
the number, and the expiry date and security code next to it, become markers; the words around
are kept (textguards.card_numbers). A closed conversation is
reopened with the assistant (the state machine's `client_writes`). Then the turn is scheduled.

A pressed feedback button, and the comment right after a rating (bot/core/feedback.py), are
stored, recorded and answered here, in the same transaction: no turn, no reopening.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core import feedback
from bot.core.channel_seam import InboundMessage
from bot.core.handoff_states import Context, Trigger, apply
from bot.core.present import message_json
from bot.core.turn_scheduler import TurnScheduler
from bot.core.unit_of_work import ChangeSet, UnitOfWork
from bot.store import conversations as store
from bot.store import routing
from bot.store.models import PAYLOAD_CHARS, Kind, Sender, now_utc
from textguards.card_numbers import contains_card_number, scrub_card_details
from textguards.risk_phrases import risk_kind


def scrubbed(inbound: InboundMessage) -> InboundMessage:
    """The message without card details in any string the client chose. A message id with a card
    number in it (a client's own id, echoed back to it) is dropped: the message is stored once
    all the same, only a repeat of it can't be recognised."""
    message_id = inbound.client_message_id
    return InboundMessage(
        text=None if inbound.text is None else scrub_card_details(inbound.text),
        # A marker can be longer than the digits it replaces: the column holds PAYLOAD_CHARS.
        payload=(None if inbound.payload is None
                 else scrub_card_details(inbound.payload)[:PAYLOAD_CHARS]),
        title=None if inbound.title is None else scrub_card_details(inbound.title),
        client_message_id=None if message_id and contains_card_number(message_id) else message_id)


class Intake:
    def __init__(self, unit_of_work: UnitOfWork, scheduler: TurnScheduler,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.unit_of_work = unit_of_work
        self.scheduler = scheduler
        self.clock = clock

    def __repr__(self) -> str:
        return f"Intake(unit_of_work={self.unit_of_work!r})"

    async def receive(self, conversation_id: str,
                      inbound: InboundMessage) -> tuple[dict[str, Any], bool]:
        """Store the message and schedule its turn; `fresh` is False for a repeat."""
        message, fresh = await self.accept(conversation_id, inbound)
        answered_here = bool(message.pop("feedback", False))  # a feedback click
        if fresh and not answered_here:
            self.scheduler.submit(conversation_id, message["id"])
        return message, fresh

    async def accept(self, conversation_id: str,
                     inbound: InboundMessage) -> tuple[dict[str, Any], bool]:
        """Store the message (committed before anything else happens); False if a repeat."""
        inbound = scrubbed(inbound)

        def work(session: Session, changes: ChangeSet) -> tuple[dict[str, Any], bool]:
            conversation = store.get_conversation(session, conversation_id)
            if conversation is None:
                raise LookupError(conversation_id)
            if inbound.client_message_id:
                earlier = store.find_client_message(session, conversation_id,
                                                    inbound.client_message_id)
                if earlier is not None:
                    return message_json(earlier), False
            click = feedback.read_click(inbound.payload)
            # Never a message that speaks of risk: it gets its turn (safety first).
            comment = (inbound.payload is None and bool((inbound.text or "").strip())
                       and risk_kind(inbound.text) is None
                       and feedback.could_be_comment(inbound.text or "")
                       and feedback.expects_comment(session, conversation))
            if click is None and not comment:
                apply(session, changes, conversation, Trigger.CLIENT_WRITES,
                      Context(self.clock()))
            if inbound.payload is not None:
                message = store.add_message(
                    session, conversation, Sender.CLIENT, inbound.title or inbound.payload,
                    kind=Kind.BUTTON_CLICK, payload=inbound.payload,
                    client_message_id=inbound.client_message_id)
            else:
                message = store.add_message(session, conversation, Sender.CLIENT,
                                            inbound.text or "",
                                            client_message_id=inbound.client_message_id)
            changes.message(conversation, message)
            if click is not None or comment:  # answered here: no turn
                routing.mark_routed(session, message.id)
                if click is not None:
                    feedback.take_click(session, changes, conversation, click)
                else:
                    feedback.take_comment(session, changes, conversation, message.text)
                return {**message_json(message), "feedback": True}, True
            return message_json(message), True

        try:
            return await self.unit_of_work(conversation_id, work)
        except IntegrityError:  # the same client_message_id, committed by another replica
            if not inbound.client_message_id:
                raise
            return await self._earlier(conversation_id, inbound.client_message_id), False

    async def _earlier(self, conversation_id: str, client_message_id: str) -> dict[str, Any]:
        def read(session: Session) -> dict[str, Any]:
            found = store.find_client_message(session, conversation_id, client_message_id)
            if found is None:
                raise LookupError(client_message_id)
            return message_json(found)

        return await self.unit_of_work.db.run(read)

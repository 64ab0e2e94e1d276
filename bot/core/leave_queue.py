"""A waiting client may go back to the assistant: "never mind", "cancel that", or the *Back to the
assistant* button (payload `/leave_queue`), on every channel.

- Queued for an ordinary reason: the conversation leaves the queue at once (the state machine's
  `leave_queue`); the console's queue line goes (a `conversation` event with mode `bot`), the
  client is told they are back with the assistant.
- Queued for safety: asked once more first, "are you safe right now?", with *Yes, I'm safe* and
  *No, stay in the queue*. Only a clear yes to that question lets go (the button, or a plain
  "yes" / "I'm safe" as the answer to it); anything else keeps the conversation in the queue.
- Once an agent has the conversation, these words are for the agent: nothing happens here.

A message that is none of these is left alone (the console has it). A message that speaks of risk
never gets here: safety comes first (answering.py). What is done is stored in the transaction that
marks the message routed, once also when the store loses its connection while committing it
(turn_end.py).
"""
from __future__ import annotations

import enum
import logging
import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core import texts
from bot.core.handoff_states import Context, Refused, Trigger, apply
from bot.core.turn import Turn
from bot.core.turn_end import AlreadyRouted, end_turn, mark_turn_ended
from bot.core.unit_of_work import ChangeSet, UnitOfWork
from bot.store import conversations as store
from bot.store.models import Conversation, Message, Mode, Sender, now_utc

log = logging.getLogger("bot.core.leave_queue")

SAFETY = "safety"

# Whole messages (lower case, punctuation and spaces folded) that mean "I don't need a person".
_LEAVE_WORDS = re.compile(
    r"(?:oh |ok |okay |actually |no )?(?:never ?mind|nvm|cancel(?: that| it| the request)?"
    r"|forget (?:it|that|about it)|(?:go )?back to the (?:assistant|bot)"
    r"|(?:i )?(?:don't|do not|dont) need (?:a person|a human|anyone|help)(?: any ?more| now)?"
    r"|no need|leave the queue|stop waiting|i changed my mind|i'?ve changed my mind)"
    r"(?: thanks| thank you)?")
_CLEAR_YES = re.compile(
    r"(?:yes|yeah|yep|yes i am|yes i'm|i am|i'm|im)(?: safe)?(?: now| right now)?"
    r"(?: thanks| thank you)?")
_CLEAR_NO = re.compile(r"(?:no|nope|not really|i'm not|i am not|not sure|i don't know)\b.*")


class Choice(enum.StrEnum):
    LEAVE = "leave"      # out of the queue, back to the assistant
    ASK_SAFE = "ask"     # a safety handoff: are you safe right now?
    STAY = "stay"        # the answer to that question was not a clear yes
    NONE = "none"        # not about leaving: for the console


def folded(text: str) -> str:
    """Lower case, curly quotes straightened, punctuation dropped, spaces single."""
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"[^\w' ]+", " ", text)
    return " ".join(text.split())


def wants_to_leave(turn: Turn) -> bool:
    if turn.payload is not None:
        return turn.payload.strip() == texts.LEAVE_QUEUE
    return _LEAVE_WORDS.fullmatch(folded(turn.text)) is not None


def choose(turn: Turn, reason: str | None, asked_if_safe: bool) -> Choice:
    """What a waiting client's message means for the queue (see the module docstring)."""
    payload = (turn.payload or "").strip()
    if asked_if_safe:
        if payload == texts.SAFE_TO_LEAVE or (
                not turn.payload and _CLEAR_YES.fullmatch(folded(turn.text))):
            return Choice.LEAVE
        if payload == texts.STAY_IN_QUEUE or (
                not turn.payload and _CLEAR_NO.fullmatch(folded(turn.text))):
            return Choice.STAY
    if payload == texts.SAFE_TO_LEAVE:  # an old button, the question not the last word
        return Choice.ASK_SAFE if reason == SAFETY else Choice.LEAVE
    if payload == texts.STAY_IN_QUEUE:
        return Choice.STAY
    if not wants_to_leave(turn):
        return Choice.NONE
    return Choice.ASK_SAFE if reason == SAFETY else Choice.LEAVE


def _asked_if_safe(session: Session, conversation: Conversation, before_seq: int) -> bool:
    """Whether the gateway's last word to the client, before this message, was the question."""
    last = session.scalars(
        select(Message.text)
        .where(Message.conversation_id == conversation.id, Message.seq < before_seq,
               Message.sender != Sender.CLIENT, Message.private_only.is_(False))
        .order_by(Message.seq.desc()).limit(1)).first()
    return last == texts.ARE_YOU_SAFE


class LeaveQueue:
    def __init__(self, unit_of_work: UnitOfWork,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.unit_of_work = unit_of_work
        self.clock = clock

    def __repr__(self) -> str:
        return "LeaveQueue()"

    async def answer(self, turn: Turn) -> bool:
        """Act on a waiting client's message about leaving the queue; True if it was (the
        message is then routed), False if it is for the console."""
        def work(session: Session, changes: ChangeSet) -> bool:
            conversation = store.get_conversation(session, turn.conversation_id)
            message = store.get_message(session, turn.message_id)
            if conversation is None or message is None:
                raise LookupError(turn.conversation_id)
            if message.routed:  # before the mode: an earlier commit may have changed it
                raise AlreadyRouted(turn.message_id)
            if conversation.mode != Mode.WAITING:
                return False
            choice = choose(turn, conversation.handoff_reason,
                            _asked_if_safe(session, conversation, message.seq))
            if choice == Choice.NONE:
                return False
            mark_turn_ended(session, turn)
            if choice == Choice.ASK_SAFE:
                changes.message(conversation, store.add_message(
                    session, conversation, Sender.SYSTEM, texts.ARE_YOU_SAFE,
                    buttons=texts.SAFE_BUTTONS))
            elif choice == Choice.STAY:
                changes.message(conversation, store.add_message(
                    session, conversation, Sender.SYSTEM, texts.STILL_QUEUED,
                    buttons=[texts.BACK_BUTTON]))
            else:
                try:
                    apply(session, changes, conversation, Trigger.LEAVE_QUEUE,
                          Context(self.clock()))
                except Refused as refused:  # claimed meanwhile: the agent reads it
                    log.info("conversation %s: not left the queue (%s)", conversation.id,
                             refused.code)
            return True

        acted = await end_turn(self.unit_of_work, turn, work)
        return acted is not False  # None: it had acted already (end_turn)

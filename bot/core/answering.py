"""Who answers a client's message, by the conversation's mode when its turn comes.

- First, whatever the mode: a message that speaks of risk gets the safety reply and a person,
  urgently (safety.py); out of hours, an e-mail address in it is kept too (while waiting, in
  the safety reply's transaction).
- bot: a request for the client's own conversations (a copy, or erasure) is answered here
  (data_rights.py); anything else by the assistant (bot_turn.py).
- waiting: the team's console only, unless the client leaves the queue ("never mind", *Back to
  the assistant*; leave_queue.py); out of hours an e-mail address in it is kept
  (out_of_hours.py).
- agent: the console only. Rasa is called in neither of these modes.
(A resolved conversation was reopened with the bot when the message was stored: intake.py.)

Each way ends the message's turn exactly once: its answer is stored in the transaction that
marks the message routed, also when the store loses its connection while committing it
(turn_end.py).
"""
from __future__ import annotations

from bot.core.bot_turn import BotTurn
from bot.core.data_rights import DataRights
from bot.core.leave_queue import LeaveQueue
from bot.core.out_of_hours import ContactEmailCapture
from bot.core.safety import SafetyFirst
from bot.core.turn import Turn
from bot.core.turn_end import answer_once, mark_turn_ended
from bot.store.db import Database
from bot.store.models import Kind, Mode


class Answering:
    def __init__(self, db: Database, bot: BotTurn, contact: ContactEmailCapture,
                 safety: SafetyFirst, leave: LeaveQueue,
                 data_rights: DataRights | None = None) -> None:
        self.db = db
        self.bot = bot
        self.contact = contact
        self.safety = safety
        self.data_rights = data_rights
        self.leave = leave

    def __repr__(self) -> str:
        return f"Answering(bot={self.bot!r})"

    async def take_turn(self, turn: Turn) -> None:
        """The message's turn (read by the scheduler as it claimed it); it ends with the message
        marked routed (bot/store/routing.py), once: with the answer, with a noted e-mail address,
        or here (the console has it).

        A message that speaks of risk gets the safety reply first, in every mode (safety.py).
        """
        waiting_text = turn.mode == Mode.WAITING and turn.kind == Kind.TEXT
        if turn.risk is not None:
            await self.safety.answer(turn, self.contact.noting(turn) if waiting_text else None)
            return
        if turn.mode == Mode.BOT:
            if self.data_rights is None or not await self.data_rights.answer(turn):
                await self.bot.answer(turn)
            return
        if turn.mode == Mode.WAITING and await self.leave.answer(turn):
            return
        if waiting_text and await self.contact.note(turn):
            return
        await answer_once(turn, lambda _: self.db.run(  # the console has it
            lambda session: mark_turn_ended(session, turn)))

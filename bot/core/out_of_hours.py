"""Out of the team's hours, an e-mail address in a waiting conversation is where to answer.

Noted in the transaction that ends the message's turn (its own, or the safety reply's when the
message also speaks of risk: answering.py), once also when the store loses its connection
while committing it (turn_end.py).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core import texts
from bot.core.turn import Turn
from bot.core.turn_end import end_turn, tracked_turn_conversation
from bot.core.unit_of_work import ChangeSet, UnitOfWork
from bot.store import conversations as store
from bot.store.models import Conversation, Kind, Sender, now_utc
from envsettings.support_hours import SupportHours, is_open

EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}"
                   r"(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}")
MAX_EMAIL_CHARS = 254


class ContactEmailCapture:
    def __init__(self, unit_of_work: UnitOfWork, hours: SupportHours,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.unit_of_work = unit_of_work
        self.hours = hours
        self.clock = clock

    def __repr__(self) -> str:
        return f"ContactEmailCapture(hours={self.hours!r})"

    def noting(self, turn: Turn) -> Callable[[Session, ChangeSet, Conversation], None] | None:
        """What keeps the first e-mail address in the client's message, to run in a transaction
        of the caller's; None if the team is here now, or the message has none."""
        if is_open(self.hours, self.clock()):
            return None
        found = EMAIL.search(turn.text)
        if not found or len(found.group()) > MAX_EMAIL_CHARS:
            return None
        email = found.group()

        def work(session: Session, changes: ChangeSet, conversation: Conversation) -> None:
            store.set_contact_email(conversation, email)
            changes.message(conversation, store.add_message(
                session, conversation, Sender.SYSTEM, texts.ACTIVITY_EMAIL, kind=Kind.ACTIVITY))
            changes.message(conversation, store.add_message(
                session, conversation, Sender.SYSTEM, texts.email_noted(email)))

        return work

    async def note(self, turn: Turn) -> bool:
        """Keep the first e-mail address in the client's message, if the team is away now; True
        if it was (the message's turn ended with it)."""
        noting = self.noting(turn)
        if noting is None:
            return False

        def work(session: Session, changes: ChangeSet) -> None:
            noting(session, changes, tracked_turn_conversation(session, changes, turn))

        await end_turn(self.unit_of_work, turn, work)
        return True

"""Out of the team's hours, an e-mail address in a waiting conversation is where to answer."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core import texts
from bot.core.turn import Turn
from bot.core.unit_of_work import ChangeSet, UnitOfWork
from bot.store import conversations as store
from bot.store import routing
from bot.store.models import Kind, Sender, now_utc
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

    async def note(self, turn: Turn) -> None:
        """Keep the first e-mail address in the client's message, if the team is away now."""
        if is_open(self.hours, self.clock()):
            return
        found = EMAIL.search(turn.text)
        if not found or len(found.group()) > MAX_EMAIL_CHARS:
            return
        email = found.group()

        def work(session: Session, changes: ChangeSet) -> None:
            conversation = store.get_conversation(session, turn.conversation_id)
            if conversation is None:
                raise LookupError(turn.conversation_id)
            routing.mark_routed(session, turn.message_id)  # with its answer, once
            store.set_contact_email(conversation, email)
            changes.message(conversation, store.add_message(
                session, conversation, Sender.SYSTEM, texts.ACTIVITY_EMAIL, kind=Kind.ACTIVITY))
            changes.message(conversation, store.add_message(
                session, conversation, Sender.SYSTEM, texts.email_noted(email)))

        await self.unit_of_work(turn.conversation_id, work)

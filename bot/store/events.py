"""Recording what the team's report counts (`ConversationEvent`), as it happens. None commits.

A click (feedback, a rating) carries a `ref`: the same click twice is recorded once, also when two
replicas take it at the same moment (the unique constraint; the loser's savepoint is rolled back).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.models import ConversationEvent, now_utc

ANSWERED = "answered"
HANDOFF = "handoff"
RESOLVED = "resolved"
HANDED_BACK = "handed_back"
FEEDBACK = "feedback"
RATING = "rating"
KINDS = (ANSWERED, HANDOFF, RESOLVED, HANDED_BACK, FEEDBACK, RATING)


def record(session: Session, conversation_id: str, kind: str, *, at: datetime | None = None,
           intent: str | None = None, topic: str | None = None, reason: str | None = None,
           value: int | None = None, ref: str | None = None,
           comment: str | None = None) -> ConversationEvent | None:
    """Record the event; None if one with the same (conversation, kind, ref) is there already."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    if ref is not None and find(session, conversation_id, kind, ref) is not None:
        return None
    event = ConversationEvent(conversation_id=conversation_id, kind=kind, at=at or now_utc(),
                              intent=intent, topic=topic, reason=reason, value=value, ref=ref,
                              comment=comment)
    if ref is None:  # nothing to collide with: (conversation, kind, ref) is unique only with a ref
        session.add(event)
        return event
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:  # the same click, recorded by another replica meanwhile
        return None
    return event


def find(session: Session, conversation_id: str, kind: str,
         ref: str) -> ConversationEvent | None:
    return session.scalars(select(ConversationEvent).where(
        ConversationEvent.conversation_id == conversation_id, ConversationEvent.kind == kind,
        ConversationEvent.ref == ref)).one_or_none()


def set_comment(session: Session, conversation_id: str, comment: str) -> bool:
    """The optional comment of the conversation's latest rating; False if it has none."""
    event = session.scalars(select(ConversationEvent).where(
        ConversationEvent.conversation_id == conversation_id, ConversationEvent.kind == RATING)
        .order_by(ConversationEvent.id.desc()).limit(1)).one_or_none()
    if event is None:
        return False
    event.comment = comment
    return True


def forget_comments(session: Session, conversation_ids: Sequence[str]) -> None:
    """Erasure: the ratings' comments are the client's own words; the scores stay."""
    session.execute(update(ConversationEvent)
                    .where(ConversationEvent.conversation_id.in_(conversation_ids))
                    .values(comment=None))

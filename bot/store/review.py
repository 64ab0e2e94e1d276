"""Data functions for the review queue (models.ReviewItem). Each takes a session; none commits.

The text given here is already scrubbed (bot/core/review_queue.py does it); the same text
(folded: case and spaces) is one item, seen once more each time it comes again.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.models import ReviewItem, now_utc

OPEN = "open"
LABELLED = "labelled"
OUT_OF_SCOPE = "out_of_scope"
SKIPPED = "skipped"
DECISIONS = (LABELLED, OUT_OF_SCOPE, SKIPPED)


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


def text_key(text: str) -> str:
    return hashlib.sha256(fold(text).encode()).hexdigest()


def add_item(session: Session, text: str, source: str,
             conversation_id: str | None) -> ReviewItem:
    """The item for this text: a new one, or the existing one seen once more."""
    key = text_key(text)
    found = _by_key(session, key)
    if found is None:
        item = ReviewItem(text=text, text_key=key, source=source, conversation_id=conversation_id,
                          seen=1, status=OPEN, created_at=now_utc())
        try:
            with session.begin_nested():  # another replica may add the same text at once
                session.add(item)
            return item
        except IntegrityError:
            found = _by_key(session, key)
            if found is None:
                raise
    found.seen += 1
    return found


def _by_key(session: Session, key: str) -> ReviewItem | None:
    return session.scalars(select(ReviewItem).where(ReviewItem.text_key == key)).one_or_none()


def open_items(session: Session, limit: int = 200) -> list[ReviewItem]:
    """Items waiting for a lead, the most often seen first, then the oldest."""
    return list(session.scalars(select(ReviewItem).where(ReviewItem.status == OPEN)
                                .order_by(ReviewItem.seen.desc(), ReviewItem.id).limit(limit)))


def decide(session: Session, item_id: int, status: str, label: str | None, agent_id: str,
           now: datetime) -> ReviewItem | None:
    """A lead's decision on an item (None: no such item)."""
    item = session.get(ReviewItem, item_id)
    if item is None:
        return None
    item.status, item.label = status, label if status == LABELLED else None
    item.labelled_by, item.labelled_at = agent_id, now
    return item


def to_export(session: Session) -> list[ReviewItem]:
    """Labelled and out-of-scope items not exported yet, oldest decision first."""
    return list(session.scalars(
        select(ReviewItem).where(ReviewItem.status.in_((LABELLED, OUT_OF_SCOPE)),
                                 ReviewItem.batch.is_(None))
        .order_by(ReviewItem.labelled_at, ReviewItem.id)))


def mark_exported(items: Sequence[ReviewItem], batch: str) -> None:
    for item in items:
        item.batch = batch


def forget_open_items(session: Session, conversation_ids: Sequence[str]) -> None:
    """Items of erased conversations go with them, decided or not, unless already exported as
    training data (then in data/nlu, README "Privacy"): those lose the link to the conversation."""
    if not conversation_ids:
        return
    of_them = ReviewItem.conversation_id.in_(conversation_ids)
    session.execute(delete(ReviewItem).where(of_them, ReviewItem.batch.is_(None)))
    session.execute(update(ReviewItem).where(of_them).values(conversation_id=None))

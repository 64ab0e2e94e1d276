"""Which client messages still wait for their turn, and which gateway replica routes them.

A client's message is stored with `routed = False` and marked routed in the transaction that ends
its turn. One replica at a time routes a conversation: it holds the conversation's routing lease
(`routing_by`, `routing_until`), renewed before each turn, released when nothing is left. A
replica that stopped without releasing (killed) loses its leases when they expire; until then no
other replica takes its conversations over, so no turn is ever taken twice at once.

Each function takes a session and never commits; every claim is one guarded UPDATE, checked by its
row count, so two replicas on one store never both win.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BindParameter, ColumnElement, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from bot.store.models import Conversation, Message, Sender


def _free_or(replica: str | BindParameter[str],
             now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """The lease is nobody's, this replica's, or expired."""
    return or_(Conversation.routing_by.is_(None), Conversation.routing_by == replica,
               Conversation.routing_until < now)


# The statements of every turn, built once with their parameters named: building a statement
# costs more CPU than SQLite takes to run it (each turn runs these six times or more).
_CLAIM = (update(Conversation)
          .where(Conversation.id == bindparam("conversation_id"),
                 _free_or(bindparam("replica"), bindparam("now")))
          .values(routing_by=bindparam("replica"), routing_until=bindparam("until"))
          .execution_options(synchronize_session=False))
_NEXT_UNROUTED = (select(Message.id)
                  .where(Message.conversation_id == bindparam("conversation_id"),
                         Message.routed.is_(False), Message.sender == Sender.CLIENT)
                  .order_by(Message.seq).limit(1))
_RELEASE = (update(Conversation)
            .where(Conversation.id == bindparam("conversation_id"),
                   Conversation.routing_by == bindparam("replica"))
            .values(routing_by=None, routing_until=None)
            .execution_options(synchronize_session=False))
_MARK_ROUTED = (update(Message)
                .where(Message.id == bindparam("message_id"), Message.routed.is_(False))
                .values(routed=True)
                .execution_options(synchronize_session=False))


def claim(session: Session, conversation_id: str, replica: str, now: datetime,
          until: datetime) -> bool:
    """Take (or renew) the conversation's routing lease until `until`; False if another replica
    holds a lease that has not expired."""
    result = session.execute(_CLAIM, {"conversation_id": conversation_id, "replica": replica,
                                      "now": now, "until": until})
    return bool(getattr(result, "rowcount", 0) == 1)


def next_unrouted(session: Session, conversation_id: str) -> str | None:
    """The id of the conversation's oldest client message still waiting for its turn."""
    return session.scalars(_NEXT_UNROUTED, {"conversation_id": conversation_id}).first()


def release(session: Session, conversation_id: str, replica: str) -> bool:
    """Give the lease back; True if a message still waits (stored meanwhile by another replica,
    which left it to the lease holder): the caller claims again."""
    session.execute(_RELEASE, {"conversation_id": conversation_id, "replica": replica})
    return next_unrouted(session, conversation_id) is not None


def release_all(session: Session, replica: str) -> int:
    """At shutdown: every lease this replica holds, given back at once (its unfinished turns are
    taken by whichever replica starts or sweeps next)."""
    result = session.execute(
        update(Conversation)
        .where(Conversation.routing_by == replica)
        .values(routing_by=None, routing_until=None)
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def mark_routed(session: Session, message_id: str) -> bool:
    """The message's turn is over; False if it was routed already (by a replica whose lease this
    one took over after it expired): the caller's transaction must then not store a second
    answer."""
    result = session.execute(_MARK_ROUTED, {"message_id": message_id})
    return bool(getattr(result, "rowcount", 0) == 1)


def conversations_to_route(session: Session, replica: str, now: datetime) -> list[str]:
    """Conversations with a client message waiting whose lease is free (or expired), the one
    waiting longest first."""
    oldest = func.min(Message.created_at)
    rows = session.execute(
        select(Message.conversation_id, oldest)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.routed.is_(False), Message.sender == Sender.CLIENT,
               _free_or(replica, now))
        .group_by(Message.conversation_id)
        .order_by(oldest, Message.conversation_id))
    return [conversation_id for conversation_id, _ in rows]

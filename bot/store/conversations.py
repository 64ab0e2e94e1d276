"""Data functions for conversations and their messages. Each takes a session; none commits."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.store.models import (
    Conversation,
    Kind,
    Message,
    Mode,
    Sender,
    SlackThread,
    TelegramCallbackKey,
    now_utc,
)
from bot.store.tokens import hash_token, new_token

CLIENT_VISIBLE_KINDS = (Kind.TEXT, Kind.BUTTON_CLICK)

# The statements of every message, built once with their parameters named: building a statement
# costs more CPU than SQLite takes to run it.
_NEXT_SEQ = (update(Conversation)
             .where(Conversation.id == bindparam("conversation_id"))
             .values(last_seq=Conversation.last_seq + 1, updated_at=bindparam("now"))
             .returning(Conversation.last_seq)
             .execution_options(synchronize_session=False))
_BY_KEY = select(Conversation).where(Conversation.conversation_key_hash == bindparam("key_hash"))
_CLIENT_MESSAGE = select(Message).where(Message.conversation_id == bindparam("conversation_id"),
                                        Message.client_message_id == bindparam("client_message_id"))


def create_conversation(session: Session, channel: str, client_id: str | None,
                        external_id: str | None = None,
                        now: datetime | None = None, shared: bool = False,
                        client_name: str | None = None) -> tuple[Conversation, str]:
    """A new conversation with the bot; returns it and its key (only the hash is stored).

    `external_id` is the channel's own id for it (None for the widget, found by its key). The key
    counts as used now, and a signed-in client's identity as verified now. `shared`: a group chat
    or a channel, where others read along (never with a client).
    """
    now = now or now_utc()
    key = new_token()
    conversation = Conversation(channel=channel, external_id=external_id, client_id=client_id,
                                conversation_key_hash=hash_token(key), mode=Mode.BOT,
                                rasa_paused=False, last_seq=0, key_used_at=now,
                                identity_verified_at=now if client_id is not None else None,
                                shared=shared, client_name=client_name)
    session.add(conversation)
    session.flush()
    return conversation, key


def mark_key_used(session: Session, conversation: Conversation, now: datetime,
                  identity_verified: bool = False) -> None:
    """The key was used now (and the client's identity verified now, if said).

    Leaves `updated_at` alone: using a key is not activity in the conversation.
    """
    values: dict[str, object] = {"key_used_at": now, "updated_at": Conversation.updated_at}
    if identity_verified:
        values["identity_verified_at"] = now
    session.execute(update(Conversation).where(Conversation.id == conversation.id)
                    .values(**values).execution_options(synchronize_session=False))
    set_committed_value(conversation, "key_used_at", now)
    if identity_verified:
        set_committed_value(conversation, "identity_verified_at", now)


def find_by_key(session: Session, key: str) -> Conversation | None:
    return session.scalars(_BY_KEY, {"key_hash": hash_token(key)}).one_or_none()


def find_by_external_id(session: Session, channel: str, external_id: str) -> Conversation | None:
    return session.scalars(
        select(Conversation).where(Conversation.channel == channel,
                                   Conversation.external_id == external_id)
    ).one_or_none()


def get_conversation(session: Session, conversation_id: str) -> Conversation | None:
    return session.get(Conversation, conversation_id)


def add_message(session: Session, conversation: Conversation, sender: Sender, text: str,
                kind: Kind = Kind.TEXT, buttons: Sequence[dict[str, str]] = (),
                agent_id: str | None = None, client_message_id: str | None = None,
                payload: str | None = None, private_only: bool = False) -> Message:
    """Append a message with the conversation's next seq (allocated atomically in the database).

    A client's message is stored unrouted: its turn is still to come (bot/store/routing.py)."""
    now = now_utc()
    seq = session.execute(_NEXT_SEQ, {"conversation_id": conversation.id, "now": now}).scalar_one()
    # What the UPDATE wrote, as loaded: set as a change, the flush would write it again.
    set_committed_value(conversation, "last_seq", seq)
    set_committed_value(conversation, "updated_at", now)
    message = Message(conversation_id=conversation.id, seq=seq, sender=sender, kind=kind,
                      text=text, buttons=list(buttons), agent_id=agent_id,
                      client_message_id=client_message_id, payload=payload,
                      routed=sender != Sender.CLIENT, private_only=private_only)
    session.add(message)
    session.flush()
    return message


def find_client_message(session: Session, conversation_id: str,
                        client_message_id: str) -> Message | None:
    return session.scalars(_CLIENT_MESSAGE, {"conversation_id": conversation_id,
                                             "client_message_id": client_message_id}
                           ).one_or_none()


def get_message(session: Session, message_id: str) -> Message | None:
    return session.get(Message, message_id)


def latest_messages(session: Session, conversation_id: str, count: int) -> list[Message]:
    """The conversation's last `count` messages, newest first."""
    return list(session.scalars(select(Message).where(Message.conversation_id == conversation_id)
                                .order_by(Message.seq.desc()).limit(count)))


def messages_after(session: Session, conversation_id: str, after: int = 0,
                   client_visible_only: bool = True, limit: int = 1000) -> list[Message]:
    """Messages with seq > after, oldest first; internal notes and activity left out by default."""
    query = select(Message).where(Message.conversation_id == conversation_id, Message.seq > after)
    if client_visible_only:
        query = query.where(Message.kind.in_(CLIENT_VISIBLE_KINDS))
    return list(session.scalars(query.order_by(Message.seq).limit(limit)))


def queue(session: Session, agent_id: str) -> list[Conversation]:
    """Waiting conversations (most urgent, then longest waiting, first), then the agent's own."""
    waiting = session.scalars(
        select(Conversation).where(Conversation.mode == Mode.WAITING)
        .order_by(Conversation.priority_rank, Conversation.waiting_since, Conversation.id)
    ).all()
    own = session.scalars(
        select(Conversation)
        .where(Conversation.mode == Mode.AGENT, Conversation.assignee_agent_id == agent_id)
        .order_by(Conversation.updated_at.desc())
    ).all()
    return [*waiting, *own]


def queue_position(session: Session, conversation: Conversation) -> int:
    """1 for the next conversation an agent will take, counting the more urgent and older ones."""
    ahead = session.scalar(
        select(func.count()).select_from(Conversation).where(
            Conversation.mode == Mode.WAITING,
            Conversation.id != conversation.id,
            or_(
                Conversation.priority_rank < conversation.priority_rank,
                and_(Conversation.priority_rank == conversation.priority_rank,
                     Conversation.waiting_since <= conversation.waiting_since),
            ),
        )
    )
    return int(ahead or 0) + 1


def set_contact_email(conversation: Conversation, email: str) -> None:
    conversation.contact_email = email


def last_client_texts(session: Session, conversation_ids: Sequence[str]) -> dict[str, str]:
    """The text of each conversation's latest typed client message (for the queue's previews)."""
    if not conversation_ids:
        return {}
    latest = (
        select(Message.conversation_id, func.max(Message.seq).label("seq"))
        .where(Message.conversation_id.in_(conversation_ids), Message.sender == Sender.CLIENT,
               Message.kind == Kind.TEXT)
        .group_by(Message.conversation_id)
        .subquery()
    )
    rows = session.execute(
        select(Message.conversation_id, Message.text).join(
            latest, and_(Message.conversation_id == latest.c.conversation_id,
                         Message.seq == latest.c.seq))
    )
    return dict(rows.tuples().all())


def clear_all(session: Session) -> int:
    """Delete every conversation, its messages and the channels' per-conversation rows, for a
    fresh demo; agents, their logins, channel links and the audit log stay. How many went."""
    count = session.scalar(select(func.count()).select_from(Conversation)) or 0
    session.execute(delete(Message))
    session.execute(delete(SlackThread))
    session.execute(delete(TelegramCallbackKey))
    session.execute(delete(Conversation))
    return count

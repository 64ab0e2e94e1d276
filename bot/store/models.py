"""The gateway's tables: conversations, their messages, agents, agent sessions, the audit log,
chat accounts linked to clients and the link attempts that count against a chat account.

Typed SQLAlchemy 2 models. Enums are stored as short strings (portable between SQLite and
PostgreSQL). Every time is timezone-aware UTC; SQLite hands them back naive, `utc()` fixes that.
"""
from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so migrations can refer to them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def now_utc() -> datetime:
    return datetime.now(UTC)


def utc(value: datetime | None) -> datetime | None:
    """The same instant as an aware UTC datetime (SQLite returns naive ones)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Mode(enum.StrEnum):
    """Who has the conversation: the bot, the queue, a person, or nobody (closed)."""

    BOT = "bot"
    WAITING = "waiting"
    AGENT = "agent"
    RESOLVED = "resolved"


class Priority(enum.StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


# The longest button payload stored (what the widget API accepts; card markers can lengthen it).
PAYLOAD_CHARS = 1000

# Queue order: lower first.
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}


class Sender(enum.StrEnum):
    CLIENT = "client"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


class Kind(enum.StrEnum):
    """`note` and `activity` are internal: the client never sees them."""

    TEXT = "text"
    BUTTON_CLICK = "button_click"
    NOTE = "note"
    ACTIVITY = "activity"


def _enum(cls: type[enum.Enum], length: int) -> Enum:
    return Enum(cls, native_enum=False, length=length, validate_strings=True,
                values_callable=lambda members: [m.value for m in members])


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    channel: Mapped[str] = mapped_column(String(16))
    # The channel's own id for this conversation (a Telegram chat, a Slack DM or thread); None for
    # the widget, whose conversations are found by their key.
    external_id: Mapped[str | None] = mapped_column(String(200))
    # Set only from a verified identity: the widget's identity token, or the client a Slack or
    # Telegram user linked (bot/core/linked_intake.py); None for a signed-out conversation.
    client_id: Mapped[str | None] = mapped_column(String(64))
    # The linked client's name as the platform gave it when the chat account was linked (the
    # console shows it); None for the widget and for unlinked chats.
    client_name: Mapped[str | None] = mapped_column(String(200))
    # A group chat or a Slack channel (others read along): never about an account, never linked.
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    conversation_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # When the key was last used; it stops working after WIDGET_KEY_IDLE_HOURS without use.
    key_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    # When the client's identity was last verified by an identity token (None: signed out). A
    # signed-in conversation needs a fresh token at least every WIDGET_KEY_IDLE_HOURS.
    identity_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mode: Mapped[Mode] = mapped_column(_enum(Mode, 16), default=Mode.BOT)
    handoff_reason: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[Priority | None] = mapped_column(_enum(Priority, 16))
    # 0 urgent, 1 high, 2 normal: the queue sorts on it (then on waiting_since).
    priority_rank: Mapped[int | None] = mapped_column(Integer)
    waiting_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assignee_agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # True after a handoff until Rasa has accepted a `resume` event for this conversation.
    rasa_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # True when the conversation's client changed (a chat account linked or unlinked) and Rasa
    # couldn't be told then: its identity slots are set before the next bot turn.
    rasa_identity_stale: Mapped[bool] = mapped_column(Boolean, default=False,
                                                      server_default=false())
    # The highest message seq so far; bumped atomically to number the next message.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # The gateway replica routing this conversation's messages now, until when (a lease renewed
    # at each turn; bot/store/routing.py). Another replica takes over only once it has expired.
    routing_by: Mapped[str | None] = mapped_column(String(36))
    routing_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When its messages were last erased (the client asked, or retention; bot/core/erasure.py).
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The agent who handed the conversation back and still has it open, read-only: the assistant's
    # next turns reach their console live until they close it (bot/core/agent_desk.py).
    watching_agent_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc,
                                                 onupdate=now_utc)

    assignee: Mapped[Agent | None] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_conversations_queue", "mode", "priority_rank", "waiting_since"),
        UniqueConstraint("channel", "external_id", name="uq_conversations_channel_external_id"),
    )

    def __repr__(self) -> str:
        return (f"Conversation(id={self.id!r}, channel={self.channel!r}, mode={self.mode}, "
                f"priority={self.priority}, assignee={self.assignee_agent_id!r})")


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    sender: Mapped[Sender] = mapped_column(_enum(Sender, 16))
    kind: Mapped[Kind] = mapped_column(_enum(Kind, 16), default=Kind.TEXT)
    text: Mapped[str] = mapped_column(Text, default="")
    buttons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"))
    client_message_id: Mapped[str | None] = mapped_column(String(64))
    # A button press: what the button sends (the text is its title). Never shown to the client.
    payload: Mapped[str | None] = mapped_column(String(PAYLOAD_CHARS))
    # False from when a client's message is stored until its turn is over (answered, or handled
    # as the conversation's mode says); every other message is stored routed.
    routed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The assistant's answer is for the asker only (an account question in a shared chat): Slack
    # may send it as an ephemeral message instead of into the channel.
    private_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    agent: Mapped[Agent | None] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_messages_unrouted", "routed", "conversation_id"),
        UniqueConstraint("conversation_id", "seq", name="uq_messages_conversation_seq"),
        UniqueConstraint("conversation_id", "client_message_id",
                         name="uq_messages_conversation_client_message_id"),
    )

    def __repr__(self) -> str:
        return (f"Message(id={self.id!r}, conversation_id={self.conversation_id!r}, "
                f"seq={self.seq}, sender={self.sender}, kind={self.kind})")


ROLE_AGENT = "agent"
ROLE_LEAD = "lead"


class Agent(Base):
    """A Customer Success team member who may log into the console."""

    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    # "agent", or "lead": a lead also sees the team's report (/console/insights) and the review
    # queue (/console/review): bot/gateway/auth.py `LeadDep`, bot/store/agents.py `is_lead`.
    # Set by the seed, or `python -m bot.cli set-role EMAIL lead`.
    role: Mapped[str] = mapped_column(String(16), default=ROLE_AGENT, server_default=ROLE_AGENT)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    def __repr__(self) -> str:
        return f"Agent(id={self.id!r})"  # no e-mail or name: reprs end up in logs


class AgentSession(Base):
    """A console login: the cookie holds the token, the table only its SHA-256."""

    __tablename__ = "agent_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    agent: Mapped[Agent] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"AgentSession(id={self.id!r}, agent_id={self.agent_id!r})"


class AuditEvent(Base):
    """Who did what to which conversation, and when. Written in the same transaction as the act."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), index=True)
    detail: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    def __repr__(self) -> str:
        return (f"AuditEvent(id={self.id!r}, agent_id={self.agent_id!r}, action={self.action!r}, "
                f"conversation_id={self.conversation_id!r})")


class ConversationEvent(Base):
    """Something the team's report counts, recorded when it happens (bot/store/insights.py).

    `kind`: `answered` (the assistant answered a client's message: `intent`, `topic`),
    `handoff` (`reason`), `resolved`, `handed_back`, `feedback` (`value` 1 "That helped", 0 "I
    need more help"), `rating` (`value` 1-5, optional `comment`). `ref` makes a click count once:
    (conversation, kind, ref) is unique when `ref` is set.
    """

    __tablename__ = "conversation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    intent: Mapped[str | None] = mapped_column(String(64))
    topic: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(32))
    value: Mapped[int | None] = mapped_column(Integer)
    ref: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_conversation_events_conversation", "conversation_id", "kind"),
        UniqueConstraint("conversation_id", "kind", "ref", name="uq_conversation_events_ref"),
    )

    def __repr__(self) -> str:
        return (f"ConversationEvent(id={self.id!r}, conversation_id={self.conversation_id!r}, "
                f"kind={self.kind!r})")


class ChannelLink(Base):
    """A Slack or Telegram user linked to a client with a one-time code from the platform."""

    __tablename__ = "channel_links"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    # The channel's stable user id: Telegram's `from.id`, Slack's "<team>:<user>".
    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    client_name: Mapped[str | None] = mapped_column(String(200))
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    def __repr__(self) -> str:  # ids only
        return (f"ChannelLink(channel={self.channel!r}, user_id={self.user_id!r}, "
                f"client_id={self.client_id!r})")


class LinkAttempt(Base):
    """A link code a chat user sent that the platform refused (or one being tried right now):
    at most LINK_ATTEMPTS_PER_HOUR count per user (bot/store/channel_links.py)."""

    __tablename__ = "link_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    __table_args__ = (Index("ix_link_attempts_user", "channel", "user_id", "at"),)

    def __repr__(self) -> str:
        return f"LinkAttempt(channel={self.channel!r}, user_id={self.user_id!r}, at={self.at!r})"


class SlackThread(Base):
    """The Slack thread a channel conversation's replies go in (its member's latest mention
    there), by the conversation's external id: kept so a reply after a restart (an agent's) still
    lands in the thread."""

    __tablename__ = "slack_threads"

    external_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    thread_ts: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    def __repr__(self) -> str:
        return f"SlackThread(external_id={self.external_id!r})"


class TelegramCallbackKey(Base):
    """A button whose payload doesn't fit Telegram's 64-byte `callback_data`: the short key sent
    instead, and the payload and title it stands for (bot/channels/telegram_buttons.py)."""

    __tablename__ = "telegram_callback_keys"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    def __repr__(self) -> str:
        return f"TelegramCallbackKey(key={self.key!r})"


class ReviewItem(Base):
    """A client's message the assistant did not understand (or did not help with), scrubbed of
    card numbers and e-mail addresses, once per distinct text, for a lead to label
    (bot/core/review_queue.py); a labelled one becomes training data (bot/core/training_export.py).
    """

    __tablename__ = "review_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(Text)
    # SHA-256 of the text folded (case, spaces): the same message twice is one item.
    text_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Why it is here: fallback, out_of_scope, more_help, not_understood.
    source: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), index=True)
    seen: Mapped[int] = mapped_column(Integer, default=1)
    # open, labelled, out_of_scope, skipped.
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    label: Mapped[str | None] = mapped_column(String(100))
    labelled_by: Mapped[str | None] = mapped_column(ForeignKey("agents.id"))
    labelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The export batch its example went out in (None: not exported yet).
    batch: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    def __repr__(self) -> str:  # never the text
        return f"ReviewItem(id={self.id!r}, source={self.source!r}, status={self.status!r})"


class CannedReply(Base):
    """A saved answer an agent inserts in the console: the team's (agent_id None, seeded by the
    migration) or an agent's own. `{first_name}` in the text is the client's first name."""

    __tablename__ = "canned_replies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    agent_id: Mapped[str | None] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc,
                                                 onupdate=now_utc)

    def __repr__(self) -> str:
        return f"CannedReply(id={self.id!r}, agent_id={self.agent_id!r})"

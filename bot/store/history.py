"""The console's history: conversations that were with the team and are closed now (resolved, or
handed back to the assistant), searched by client, text, date, status and channel, a page at a
time. Works the same on SQLite and PostgreSQL (case-insensitive LIKE, `%` and `_` escaped).

A conversation that never reached the team (no activity line of the team's) is not in it: what a
client said only to the assistant is not the team's to read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Exists, exists, func, or_, select, update
from sqlalchemy.orm import Session

from bot.store.models import Conversation, Kind, Message, Mode, Sender

# A history status → the mode it stands for.
STATUSES = {"resolved": Mode.RESOLVED, "handed_back": Mode.BOT}
MAX_PER_PAGE = 50


@dataclass(frozen=True)
class HistoryQuery:
    client: str | None = None      # part of the client's name, or their exact client id
    text: str | None = None        # part of any message (notes included)
    status: str | None = None      # "resolved" | "handed_back"; None: both
    channel: str | None = None     # "widget" | "slack" | "telegram"
    since: datetime | None = None  # active at or after
    until: datetime | None = None  # started before
    page: int = 1
    per_page: int = 20

    def used(self) -> list[str]:
        """Which filters are set (names only, for the audit log: never what was searched for)."""
        return [name for name in ("client", "text", "status", "channel", "since", "until")
                if getattr(self, name) not in (None, "")]


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def was_with_team() -> Exists:
    """The conversation has an activity line of the team's (a handoff, a claim...)."""
    return exists().where(Message.conversation_id == Conversation.id,
                          Message.kind == Kind.ACTIVITY, Message.sender == Sender.SYSTEM)


def in_history(session: Session, conversation: Conversation) -> bool:
    if conversation.mode not in STATUSES.values():
        return False
    return bool(session.scalar(select(was_with_team().where(
        Message.conversation_id == conversation.id))))


def search(session: Session, query: HistoryQuery) -> tuple[list[Conversation], int]:
    """One page of matching conversations (latest activity first) and how many match in all."""
    modes = [STATUSES[query.status]] if query.status in STATUSES else list(STATUSES.values())
    where = [Conversation.mode.in_(modes), was_with_team()]
    if query.client:
        where.append(or_(Conversation.client_id == query.client.strip(),
                         Conversation.client_name.ilike(_like(query.client.strip()),
                                                        escape="\\")))
    if query.text:
        where.append(exists().where(Message.conversation_id == Conversation.id,
                                    Message.text.ilike(_like(query.text.strip()), escape="\\")))
    if query.channel:
        where.append(Conversation.channel == query.channel)
    if query.since is not None:
        where.append(Conversation.updated_at >= query.since)
    if query.until is not None:
        where.append(Conversation.created_at < query.until)
    total = session.scalar(select(func.count()).select_from(Conversation).where(*where)) or 0
    per_page = max(1, min(query.per_page, MAX_PER_PAGE))
    rows = session.scalars(
        select(Conversation).where(*where)
        .order_by(Conversation.updated_at.desc(), Conversation.id)
        .offset((max(1, query.page) - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), int(total)


def unnamed_clients(session: Session, conversations: list[Conversation]) -> dict[str, str]:
    """conversation id → client id, for signed-in conversations whose client has no name yet."""
    return {c.id: c.client_id for c in conversations
            if c.client_id is not None and not c.client_name}


def record_client_names(session: Session, names: dict[str, str]) -> None:
    """Keep the client's name (as the platform gave it) on each conversation that has none yet;
    not activity in the conversation (`updated_at` stays)."""
    for conversation_id, name in names.items():
        session.execute(update(Conversation)
                        .where(Conversation.id == conversation_id,
                               Conversation.client_name.is_(None))
                        .values(client_name=name, updated_at=Conversation.updated_at)
                        .execution_options(synchronize_session=False))

"""Data functions for chat accounts linked to clients and the link codes they tried.

Each takes a session; none commits. A chat account is a (channel, user id) pair: Telegram's
`from.id`, Slack's "<team>:<user>".
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.store.models import ChannelLink, Conversation, LinkAttempt, utc

ATTEMPT_WINDOW = timedelta(hours=1)


def find_link(session: Session, channel: str, user_id: str) -> ChannelLink | None:
    return session.get(ChannelLink, (channel, user_id))


def link(session: Session, channel: str, user_id: str, client_id: str,
         client_name: str | None, now: datetime) -> ChannelLink:
    """Bind the chat account to the client (replacing an earlier link of that account)."""
    found = find_link(session, channel, user_id)
    if found is None:
        found = ChannelLink(channel=channel, user_id=user_id, client_id=client_id,
                            client_name=client_name, linked_at=now)
        session.add(found)
    else:
        found.client_id, found.client_name, found.linked_at = client_id, client_name, now
    session.flush()
    return found


def unlink(session: Session, channel: str, user_id: str) -> bool:
    """Remove the chat account's link; False if it had none."""
    removed = session.execute(delete(ChannelLink).where(ChannelLink.channel == channel,
                                                        ChannelLink.user_id == user_id))
    return bool(getattr(removed, "rowcount", 0))


def attempts_since(session: Session, channel: str, user_id: str,
                   since: datetime) -> list[datetime]:
    """When the chat account's counted link attempts since `since` were made, oldest first."""
    moments = session.scalars(
        select(LinkAttempt.at).where(LinkAttempt.channel == channel,
                                     LinkAttempt.user_id == user_id, LinkAttempt.at > since)
        .order_by(LinkAttempt.at))
    return [moment for moment in map(utc, moments) if moment is not None]


def add_attempt(session: Session, channel: str, user_id: str, now: datetime) -> int:
    """Count an attempt now (older ones of this account, past the window, are deleted)."""
    session.execute(delete(LinkAttempt).where(LinkAttempt.channel == channel,
                                              LinkAttempt.user_id == user_id,
                                              LinkAttempt.at <= now - ATTEMPT_WINDOW))
    attempt = LinkAttempt(channel=channel, user_id=user_id, at=now)
    session.add(attempt)
    session.flush()
    return attempt.id


def forget_attempt(session: Session, attempt_id: int) -> None:
    """An attempt that doesn't count after all (the code worked, or the platform didn't answer)."""
    session.execute(delete(LinkAttempt).where(LinkAttempt.id == attempt_id))


def set_client(conversation: Conversation, client_id: str | None,
               client_name: str | None) -> None:
    conversation.client_id = client_id
    conversation.client_name = client_name if client_id is not None else None


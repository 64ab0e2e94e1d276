"""The Slack thread of each channel conversation (table `slack_threads`)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from bot.store.models import SlackThread, now_utc


def remember_thread(session: Session, external_id: str, thread_ts: str) -> None:
    found = session.get(SlackThread, external_id)
    if found is None:
        session.add(SlackThread(external_id=external_id, thread_ts=thread_ts))
    else:
        found.thread_ts = thread_ts
        found.updated_at = now_utc()


def thread_of(session: Session, external_id: str) -> str | None:
    found = session.get(SlackThread, external_id)
    return found.thread_ts if found is not None else None

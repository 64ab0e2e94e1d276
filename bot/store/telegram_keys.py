"""Data functions for Telegram's long button payloads (models.TelegramCallbackKey)."""
from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.store.models import TelegramCallbackKey, now_utc


def keep(session: Session, buttons: list[tuple[str, str, str]]) -> None:
    """Store what each key stands for (key, payload, title); a key stored already (the same
    button again, perhaps by another replica) stays as it is."""
    insert = (postgresql_insert if session.get_bind().dialect.name == "postgresql"
              else sqlite_insert)
    for key, payload, title in buttons:
        session.execute(insert(TelegramCallbackKey)
                        .values(key=key, payload=payload, title=title, created_at=now_utc())
                        .on_conflict_do_nothing(index_elements=["key"]))


def find(session: Session, key: str) -> tuple[str, str] | None:
    """The payload and title `key` stands for, or None for a key never stored."""
    found = session.get(TelegramCallbackKey, key)
    return None if found is None else (found.payload, found.title)

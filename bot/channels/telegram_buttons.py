"""Rasa's buttons as Telegram inline keyboards, and a pressed button back to its payload and title.

Telegram's `callback_data` holds 1 to 64 bytes. A payload that fits is sent as it is; a longer one
(Rasa's `/choose_slot{"slot_id": ...}` payloads often are) is never truncated: a short key stands
for it, stored with its title (bot/store/telegram_keys.py), and the press is mapped back. The key
is derived from the payload and title, so the same button always gets the same key and storing it
again changes nothing (also across gateway replicas and restarts).
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import InlineKeyboardButtonLimit

from bot.store import telegram_keys
from bot.store.db import Database

MAX_CALLBACK_BYTES: int = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64
KEY_PREFIX = "k:"  # callback_data that is a stored key; a payload starting so is keyed too


@dataclass(frozen=True)
class Pressed:
    payload: str
    title: str


def key_of(payload: str, title: str) -> str:
    """A short stable key for a button: 22 URL-safe characters of a SHA-256 of payload and title."""
    digest = hashlib.sha256(f"{payload}\x00{title}".encode()).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def fits_directly(payload: str) -> bool:
    return (0 < len(payload.encode()) <= MAX_CALLBACK_BYTES
            and not payload.startswith(KEY_PREFIX))


class CallbackKeys:
    """Keyboards for outgoing buttons and the payload of a press, through the store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __repr__(self) -> str:
        return f"CallbackKeys(db={self.db!r})"

    async def keyboard(self, buttons: list[dict[str, Any]]) -> InlineKeyboardMarkup | None:
        """One button a row (titles can be long); long payloads stored under their key first."""
        if not buttons:
            return None
        rows: list[list[InlineKeyboardButton]] = []
        to_keep: list[tuple[str, str, str]] = []
        for button in buttons:
            payload, title = str(button["payload"]), str(button["title"])
            if fits_directly(payload):
                data = payload
            else:
                key = key_of(payload, title)
                to_keep.append((key, payload, title))
                data = KEY_PREFIX + key
            rows.append([InlineKeyboardButton(title, callback_data=data)])
        if to_keep:
            await self.db.run(lambda session: telegram_keys.keep(session, to_keep))
        return InlineKeyboardMarkup(rows)

    async def pressed(self, data: str, message: Message | None) -> Pressed | None:
        """What a press stands for; None for a key we never gave out.

        A direct payload's title is the button's text on the message pressed (the payload itself
        if that message isn't available any more).
        """
        if data.startswith(KEY_PREFIX):
            found = await self.db.run(
                lambda session: telegram_keys.find(session, data[len(KEY_PREFIX):]))
            return None if found is None else Pressed(*found)
        return Pressed(data, _title_on(message, data) or data)


def _title_on(message: Message | None, data: str) -> str | None:
    markup = message.reply_markup if message is not None else None
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None

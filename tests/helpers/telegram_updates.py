"""Telegram updates as Telegram sends them (JSON), for the tests of the Telegram channel.

    text_update(7, "how many credits?")                     # a private chat with user 7
    text_update(7, "credits?", chat_id=-100, update_id=...) # user 7 in group -100
    press_update(7, "/book", message=sent)                  # a button pressed on a sent message
"""
from __future__ import annotations

import itertools
import time
from typing import Any

_ids = itertools.count(int(time.time() * 1000) % 1_000_000_000)


def next_update_id() -> int:
    return next(_ids)


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "en"}


def chat(chat_id: int, user_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User{user_id}"}
    return {"id": chat_id, "type": "supergroup", "title": "Northwind people"}


def message(user_id: int, chat_id: int | None = None, **content: Any) -> dict[str, Any]:
    chat_id = user_id if chat_id is None else chat_id
    return {"message_id": next_update_id(), "date": int(time.time()), "from": user(user_id),
            "chat": chat(chat_id, user_id), **content}


def text_update(user_id: int, text: str, chat_id: int | None = None,
                update_id: int | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split()[0]
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"update_id": update_id or next_update_id(),
            "message": message(user_id, chat_id, **content)}


def sticker_update(user_id: int, chat_id: int | None = None) -> dict[str, Any]:
    sticker = {"file_id": "CAACAgIAAxkBAAEB", "file_unique_id": "AgADAQAD", "type": "regular",
               "width": 512, "height": 512, "is_animated": False, "is_video": False}
    return {"update_id": next_update_id(), "message": message(user_id, chat_id, sticker=sticker)}


def photo_update(user_id: int) -> dict[str, Any]:
    photo = [{"file_id": "AgACAgIAAxkBAAEC", "file_unique_id": "AQADAgAD", "width": 90,
              "height": 90, "file_size": 1200}]
    return {"update_id": next_update_id(), "message": message(user_id, photo=photo)}


def voice_update(user_id: int) -> dict[str, Any]:
    voice = {"file_id": "AwACAgIAAxkBAAED", "file_unique_id": "AgADBAAD", "duration": 3}
    return {"update_id": next_update_id(), "message": message(user_id, voice=voice)}


def press_update(user_id: int, data: str, sent: dict[str, Any],
                 chat_id: int | None = None) -> dict[str, Any]:
    """A press of the button with callback `data` on the message the bot sent (`sent`: the
    sendMessage parameters the fake recorded, with their reply_markup)."""
    chat_id = user_id if chat_id is None else chat_id
    pressed_on = {"message_id": next_update_id(), "date": int(time.time()),
                  "from": {"id": 123456789, "is_bot": True, "first_name": "Wellbeing Hub"},
                  "chat": chat(chat_id, user_id), "text": sent.get("text", ""),
                  "reply_markup": sent.get("reply_markup")}
    return {"update_id": next_update_id(),
            "callback_query": {"id": str(next_update_id()), "from": user(user_id),
                               "chat_instance": "-4242", "data": data, "message": pressed_on}}


def callback_data(sent: dict[str, Any], title: str) -> str:
    """The callback data of the button titled `title` on a sent message."""
    for row in sent["reply_markup"]["inline_keyboard"]:
        for button in row:
            if button["text"] == title:
                return str(button["callback_data"])
    raise AssertionError(f"no button {title!r} on {sent['reply_markup']}")

"""What a message looks like on Telegram: HTML with escaping, split to fit 4,096 characters.

    parts = message_parts({"sender": "agent", "agent_name": "Sam", "text": "Hi <3"})
    # ["<b>Sam</b> · Customer Success\nHi &lt;3"]

Telegram counts a message's length in UTF-16 code units of the text after its HTML is parsed
(the entities don't count), at most 4,096. A longer reply is split at the last paragraph, line,
sentence or word boundary that fits, never inside a word unless a single word is longer than that.
"""
from __future__ import annotations

import html
import re
from typing import Any

from telegram.constants import MessageLimit

MAX_CHARS: int = MessageLimit.MAX_TEXT_LENGTH  # 4096
# Where a long text may be cut, best first: a paragraph, a line, a sentence, a word.
BOUNDARIES = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?…])\s+"),
              re.compile(r"\s+"))


def utf16_length(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (an emoji outside the BMP counts two)."""
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """The largest index i such that text[:i] has at most `limit` UTF-16 code units."""
    if utf16_length(text) <= limit:
        return len(text)
    low, high = 0, min(len(text), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if utf16_length(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def split_text(text: str, limit: int = MAX_CHARS) -> list[str]:
    """`text` in parts of at most `limit` UTF-16 code units, cut at the best boundary that fits.

    Nothing is lost but the whitespace at a cut; each part is non-empty.
    """
    parts: list[str] = []
    rest = text.strip()
    while rest:
        fits = _fitting_prefix(rest, limit)
        if fits == len(rest):
            parts.append(rest)
            break
        window = rest[: fits + 1]  # a boundary right after the last character that fits counts
        cut = 0
        for boundary in BOUNDARIES:
            starts = [m for m in boundary.finditer(window) if 0 < m.start() <= fits]
            if starts:
                cut = starts[-1].start()
                rest_from = starts[-1].end()
                break
        if cut == 0:  # one word longer than the limit: cut it where it must be
            cut = rest_from = fits
        parts.append(rest[:cut].rstrip())
        rest = rest[rest_from:].lstrip()
    return [part for part in parts if part]


def heading(message: dict[str, Any]) -> str:
    """Who is speaking, when it isn't the assistant: an agent's name (plain text)."""
    if message.get("sender") == "agent":
        name = message.get("agent_name") or "Customer Success"
        return f"{name} · Customer Success"
    return ""


def message_parts(message: dict[str, Any]) -> list[str]:
    """A message the client may see as Telegram HTML parts, each within the length limit; the
    heading (an agent's name, bold) starts the first part."""
    head = heading(message)
    text = str(message.get("text") or "")
    room = MAX_CHARS - (utf16_length(head) + 1 if head else 0)
    pieces = split_text(text, room) or [""]
    parts = [html.escape(piece, quote=False) for piece in pieces]
    if head:
        parts[0] = f"<b>{html.escape(head, quote=False)}</b>\n{parts[0]}".rstrip()
    return [part for part in parts if part] or []

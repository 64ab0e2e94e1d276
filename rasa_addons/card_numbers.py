"""Finds payment card numbers in free text so that they are never echoed, stored or forwarded."""
from __future__ import annotations

import re

# 13 to 19 digits, optionally grouped by single spaces or hyphens ("4111 1111 1111 1111").
_CANDIDATE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


def _passes_luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def contains_card_number(text: str) -> bool:
    """True when the text holds something that looks like a real card number (Luhn-valid)."""
    for match in _CANDIDATE.finditer(text or ""):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and _passes_luhn(digits):
            return True
    return False


def redact_card_numbers(text: str, replacement: str) -> str:
    """The text with every card number (Luhn-valid, 13 to 19 digits) replaced."""
    def replace(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group())
        return replacement if 13 <= len(digits) <= 19 and _passes_luhn(digits) else match.group()

    return _CANDIDATE.sub(replace, text or "")

"""Payment card numbers in free text, and the expiry date and security code written next to them.

    contains_card_number("my card is 4111.1111.1111.1111")    -> True
    scrub_card_details("charge my visa 4242 4242 4242 4242 exp 12/28 cvc 123")
        -> "charge my visa [card number removed] exp [expiry removed] cvc [security code removed]"

A card number is 13 to 19 digits passing the Luhn check, written in one piece or in groups with
any run of separators between them: spaces, tabs and newlines, dots, commas, hyphens and dashes
(" - " too), underscores, asterisks, bars. Other numbers written next to it (a reference before
it, the security code after it) don't hide it: every stretch of whole groups is tried. A run of
more than 19 digits in one piece that holds a card number is removed whole.

Only in a text that holds a card number: the expiry date and the security code are removed too,
where a label says what they are ("exp 12/28", "expiry: 12/2028", "CVC 123", "security code
1234"), and unlabelled right after the number ("4242 4242 4242 4242 12/28 123"). The words
around are kept, labels included: only the digits go.

Pure Python 3.10 and the standard library: the gateway, the actions and Rasa's REST channel
(rasa_addons/redacting_rest.py) all use it.
"""
from __future__ import annotations

import re

CARD_NUMBER_REMOVED = "[card number removed]"
EXPIRY_REMOVED = "[expiry removed]"
SECURITY_CODE_REMOVED = "[security code removed]"

MIN_DIGITS, MAX_DIGITS = 13, 19

# Between two groups of digits: any run of these. Not slashes or colons: dates and times.
_SEPARATOR = r"[\s.,\-\u2010-\u2015\u2212_*|\\\u00b7\u2022]"
_RUN = re.compile(rf"\d+(?:{_SEPARATOR}+\d+)*")
_GROUP = re.compile(r"\d+")

_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:20)?\d{2}"
_DATE = rf"{_MONTH}\s{{0,2}}[/\-.\\]\s{{0,2}}{_YEAR}"
_LABELLED_EXPIRY = re.compile(
    r"(?i)\b(?:exp(?:iry|ires|ire|iration|\.)?(?:\s+date)?|valid\s+(?:thru|through|until|till|to)"
    r"|good\s+(?:thru|through)|expiration)"
    r"\W{0,4}(?:(?:is|on|date)\s+)?"
    rf"(?P<value>{_DATE}|(?:0[1-9]|1[0-2]){_YEAR})(?!\d)")
_LABELLED_CODE = re.compile(
    r"(?i)\b(?:cvc2?|cvv2?|cvn|csc|cid|security\s+(?:code|number)|sec\.?\s*code"
    r"|card\s+(?:code|verification(?:\s+(?:code|number|value))?)"
    r"|verification\s+(?:code|number|value)|pin(?:\s+code)?|code)"
    r"\W{0,4}(?:(?:is|number|no)\W{1,3})?"
    r"(?P<value>\d{3,4})(?!\d)")
# Right after the number, unlabelled: an expiry date and a security code, in either order.
_TAIL_EXPIRY = re.compile(rf"[\s,;:\-\u2013\u2014]{{0,4}}(?P<value>{_DATE})(?!\d)")
_TAIL_CODE = re.compile(r"[\s,;:\-\u2013\u2014./]{0,4}(?P<value>\d{3,4})(?!\d)")
# The month may have been taken into the number's groups ("... 4242 12/28"): the "/28" left.
_TAIL_YEAR = re.compile(rf"\s{{0,2}}/\s{{0,2}}(?P<value>{_YEAR})(?!\d)")


def passes_luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


class _LuhnSums:
    """Prefix sums over a run's digits, so that any stretch's Luhn check costs the same (a long
    run of digits has many stretches to try)."""

    def __init__(self, digits: str) -> None:
        # plain[p][k], doubled[p][k]: the digits before index k at indices of parity p, as they
        # are and as Luhn doubles them.
        self.plain = ([0], [0])
        self.doubled = ([0], [0])
        for index, char in enumerate(digits):
            value = int(char)
            twice = value * 2 - 9 if value > 4 else value * 2
            for parity in (0, 1):
                hit = index % 2 == parity
                self.plain[parity].append(self.plain[parity][-1] + (value if hit else 0))
                self.doubled[parity].append(self.doubled[parity][-1] + (twice if hit else 0))

    def is_card(self, start: int, end: int) -> bool:
        """digits[start:end] is 13 to 19 digits passing the Luhn check."""
        if not MIN_DIGITS <= end - start <= MAX_DIGITS:
            return False
        kept = (end - 1) % 2  # the last digit is never doubled, then every other one is
        total = (self.plain[kept][end] - self.plain[kept][start]
                 + self.doubled[1 - kept][end] - self.doubled[1 - kept][start])
        return total % 10 == 0


def card_number_spans(text: str) -> list[tuple[int, int]]:
    """Where the card numbers are: (start, end) in `text`, in order, not overlapping."""
    spans: list[tuple[int, int]] = []
    for run in _RUN.finditer(text or ""):
        groups = list(_GROUP.finditer(run.group()))
        digits = "".join(g.group() for g in groups)
        if len(digits) < MIN_DIGITS:
            continue
        sums = _LuhnSums(digits)
        bounds: list[tuple[int, int]] = []  # each group's place in `digits`
        for g in groups:
            offset = bounds[-1][1] if bounds else 0
            bounds.append((offset, offset + len(g.group())))
        marked = [False] * len(groups)
        for first, (start, end) in enumerate(bounds):
            if end - start > MAX_DIGITS:  # one long piece: is there a card number inside?
                marked[first] = any(
                    sums.is_card(at, at + length)
                    for at in range(start, end - MIN_DIGITS + 1)
                    for length in range(MIN_DIGITS, min(MAX_DIGITS, end - at) + 1))
                continue
            for last in range(first, len(groups)):
                if bounds[last][1] - start > MAX_DIGITS:
                    break
                if sums.is_card(start, bounds[last][1]):
                    marked[first:last + 1] = [True] * (last + 1 - first)
        index = 0
        while index < len(groups):
            if not marked[index]:
                index += 1
                continue
            last = index
            while last + 1 < len(groups) and marked[last + 1]:
                last += 1
            spans.append((run.start() + groups[index].start(), run.start() + groups[last].end()))
            index = last + 1
    return spans


def contains_card_number(text: str | None) -> bool:
    """True when the text holds something that looks like a real card number (Luhn-valid)."""
    return bool(card_number_spans(text or ""))


def _tail(text: str, end: int) -> list[tuple[int, int, str]]:
    """The unlabelled expiry date and security code right after a card number ending at `end`."""
    found: list[tuple[int, int, str]] = []
    expiry_done = code_done = False
    year = _TAIL_YEAR.match(text, end)
    if year:
        found.append((year.start("value"), year.end("value"), EXPIRY_REMOVED))
        end, expiry_done = year.end(), True
    for _ in range(2):
        expiry = None if expiry_done else _TAIL_EXPIRY.match(text, end)
        if expiry:
            found.append((expiry.start("value"), expiry.end("value"), EXPIRY_REMOVED))
            end, expiry_done = expiry.end(), True
            continue
        code = None if code_done else _TAIL_CODE.match(text, end)
        if code:
            found.append((code.start("value"), code.end("value"), SECURITY_CODE_REMOVED))
            end, code_done = code.end(), True
            continue
        break
    return found


def scrub_card_details(text: str) -> str:
    """The text with every card number replaced, and its expiry date and security code too.

    A text without a card number comes back unchanged.
    """
    text = text or ""
    cards = card_number_spans(text)
    if not cards:
        return text
    found = [(start, end, CARD_NUMBER_REMOVED) for start, end in cards]
    for _, end in cards:
        found += _tail(text, end)
    for pattern, marker in ((_LABELLED_EXPIRY, EXPIRY_REMOVED),
                            (_LABELLED_CODE, SECURITY_CODE_REMOVED)):
        found += [(m.start("value"), m.end("value"), marker) for m in pattern.finditer(text)]
    # Card numbers first where spans overlap, then in reading order.
    found.sort(key=lambda item: (item[0], item[2] != CARD_NUMBER_REMOVED, -item[1]))
    pieces: list[str] = []
    position = 0
    for start, end, marker in found:
        if start < position:  # inside something removed already
            continue
        pieces += [text[position:start], marker]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)

"""The chat commands of account linking, read from what a Slack or Telegram user typed.

    read_command("Link 482 913")   # LinkCommand(kind=LINK, code="482913", masked="Link ••••••")
    read_command("/start 482913")  # Telegram's deep link t.me/<bot>?start=482913
    read_command("unlink")         # UNLINK
    read_command("/start")         # START: Telegram's first message to a bot
    read_command("482913")         # LINK: the code alone, as pasted from the dashboard
    read_command("how do I link my card?")   # None: not a command, the assistant answers it

A message whose first word is `link` or `/link` is a link command; its code is six digits (spaces
and hyphens between them forgiven), anything else is a link command without a usable code
(`LINK_MALFORMED`: the user is told the format). `/start` with a payload of six digits is a link
command too, and so is a message of the six digits alone. Case never matters. Every digit of a
command is masked in `masked`, the text that is stored: a code is never kept in the transcript in
clear, nor logged.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass

MASK = "•"
CODE_DIGITS = 6

_LINK = re.compile(r"^\s*/?link(?:@\w+)?(?:\s+(?P<rest>.*))?$", re.IGNORECASE | re.DOTALL)
_START = re.compile(r"^\s*/start(?:@\w+)?(?:\s+(?P<rest>.*))?$", re.IGNORECASE | re.DOTALL)
_UNLINK = re.compile(r"^\s*/?unlink(?:@\w+)?(?:\s.*)?$", re.IGNORECASE | re.DOTALL)
_ONLY_CODE = re.compile(r"^[\s\d-]+$")
_CODE = re.compile(r"^\D*?(\d(?:[\s-]?\d){5})\D*$")


class CommandKind(enum.StrEnum):
    LINK = "link"                      # a code to redeem
    LINK_MALFORMED = "link_malformed"  # `link` without six digits: say how
    UNLINK = "unlink"
    START = "start"                    # Telegram's `/start` without a code: a welcome


@dataclass(frozen=True)
class LinkCommand:
    kind: CommandKind
    masked: str  # the message as it is stored: every digit masked
    code: str | None = None

    def __repr__(self) -> str:  # never the code
        return f"LinkCommand(kind={self.kind!r})"


def mask_digits(text: str) -> str:
    return re.sub(r"\d", MASK, text)


def read_command(text: str | None) -> LinkCommand | None:
    """The command in a typed message, or None when it is anything else."""
    if not text:
        return None
    masked = mask_digits(text.strip())
    if _UNLINK.match(text):
        return LinkCommand(CommandKind.UNLINK, masked)
    link, start = _LINK.match(text), _START.match(text)
    if link is None and start is None:
        alone = _code(text.strip()) if _ONLY_CODE.match(text) else None
        return LinkCommand(CommandKind.LINK, masked, alone) if alone else None
    rest = ((link or start).group("rest") or "").strip()  # type: ignore[union-attr]
    code = _code(rest)
    if code is not None:
        return LinkCommand(CommandKind.LINK, masked, code)
    if start is not None:
        return LinkCommand(CommandKind.START, masked)
    return LinkCommand(CommandKind.LINK_MALFORMED, masked)


def _code(rest: str) -> str | None:
    """Six digits, alone (spaces or hyphens between them allowed), else None."""
    found = _CODE.match(rest)
    if found is None or re.search(r"\d", rest.replace(found.group(1), "", 1)):
        return None
    digits = re.sub(r"\D", "", found.group(1))
    return digits if len(digits) == CODE_DIGITS else None

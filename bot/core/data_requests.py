"""A client asking for their conversations, or for them to be erased, in their own words.

    read_request("send me my chat history")          # EXPORT
    read_request("can I get a copy of my conversations?")  # EXPORT
    read_request("please delete my chat history")    # ERASE
    read_request("how do I delete my card?")         # None: not about their conversations

The gateway answers these itself, in every channel, before Rasa (bot/core/data_rights.py): the
words are matched here, deliberately on two parts, what is asked (send, copy, download... /
delete, erase, forget...) and about what (their chat history, conversations, chats, messages,
data, transcript), so a question about something else never starts an erasure (which, besides,
is asked for confirmation first).
"""
from __future__ import annotations

import enum
import re

ERASE_CONFIRM = "/erase_my_conversations"
ERASE_KEEP = "/keep_my_conversations"


class DataRequest(enum.StrEnum):
    EXPORT = "export"
    ERASE = "erase"


_WHAT = (r"(?:(?:my|our|the|all|all\s+my|all\s+of\s+my|this|these|those|your)\s+)?"
         r"(?:(?:whole|entire|full|complete|previous|past|old)\s+)?"
         r"(?:chat(?:s|\s+history|\s+log(?:s)?|\s+transcripts?|\s+messages)?|"
         r"conversations?(?:\s+history)?|messages(?:\s+history)?|message\s+history|"
         r"history|transcripts?|personal\s+data|data|records?|everything\s+you\s+(?:have|hold|"
         r"keep|store)|what\s+(?:i|we)\s+(?:said|wrote|told\s+you))")
_MINE = r"(?:my|our|all\s+my|all\s+of\s+my|me|i've|i\s+have|i\s+had|the|this|these)"

_ERASE = re.compile(
    r"\b(?:delete|erase|remove|wipe|clear|purge|destroy|get\s+rid\s+of|forget)\b"
    rf"(?:\s+\w+){{0,3}}?\s+{_MINE}\b(?:\s+\w+){{0,2}}?\s+{_WHAT}\b"
    r"|\b(?:delete|erase|remove|wipe)\s+(?:all\s+)?(?:everything|all)\s+(?:you\s+(?:have|hold|"
    r"keep|store)|about\s+me|of\s+mine)\b"
    r"|\bforget\s+(?:about\s+)?me\b|\bright\s+to\s+(?:be\s+forgotten|erasure)\b",
    re.IGNORECASE)
_EXPORT = re.compile(
    r"\b(?:send|e-?mail|mail|give|get|want|need|request|download|export|access|receive|have|"
    r"see|view|show|copy\s+of|obtain)\b"
    rf"(?:\s+\w+){{0,4}}?\s+{_MINE}\b(?:\s+\w+){{0,2}}?\s+{_WHAT}\b"
    r"|\bright\s+(?:of|to)\s+access\b|\bdata\s+(?:export|access\s+request|subject\s+access)\b"
    r"|\bsubject\s+access\s+request\b",
    re.IGNORECASE)
# Account-side words that make it about something else ("delete my card", "my booking history").
_ELSEWHERE = re.compile(r"\b(?:card|booking|bookings|session|sessions|invoice|invoices|payment|"
                        r"payments|account|password|credits?|appointments?)\b", re.IGNORECASE)


def read_request(text: str | None) -> DataRequest | None:
    """EXPORT, ERASE or None for a typed message."""
    if not text or len(text) > 300:
        return None
    if _ERASE.search(text) and not _ELSEWHERE.search(text):
        return DataRequest.ERASE
    if _EXPORT.search(text) and not _ELSEWHERE.search(text):
        return DataRequest.EXPORT
    return None

"""Text between Slack and the core: what a Slack user typed, and our messages as Slack renders them.

Inbound, Slack escapes `&`, `<`, `>` and wraps mentions, links and e-mail addresses in `<...>`
(`<@U123>`, `<https://x|label>`, `<mailto:a@b.example|a@b.example>`): the core gets plain text
(the bot's own mention dropped, a link as its label). Outbound, our text is escaped the same way
(https://api.slack.com/reference/surfaces/formatting#escaping) so nothing in it becomes a mention
or a link, and Rasa's buttons become a Block Kit `actions` block whose buttons carry the payload.
"""
from __future__ import annotations

import re
from typing import Any

BUTTON_ACTION_PREFIX = "rasa_button:"
SECTION_CHARS = 3000       # a section block's text
BUTTON_TITLE_CHARS = 75    # a button's plain_text
BUTTON_VALUE_CHARS = 2000  # a button's value
BUTTONS_PER_BLOCK = 25

_ENTITY = re.compile(r"<([^<>]*)>")
_SPACES = re.compile(r"[ \t]{2,}")


def escape(text: str) -> str:
    """Our text as mrkdwn that shows exactly these characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """What a Slack user typed, as plain text: the bot's mention dropped, `<url|label>` as its
    label, `<mailto:x>` as the address, other mentions as `@id`, then Slack's escapes undone."""
    def entity(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "" if bot_user_id and target[1:] == bot_user_id else f"@{label or target[1:]}"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("!"):
            return f"@{label or target[1:].split('^')[0]}"
        if label:
            return label
        return target.removeprefix("mailto:")

    return _SPACES.sub(" ", unescape(_ENTITY.sub(entity, text))).strip()


def split_text(text: str, limit: int = SECTION_CHARS) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at a line or sentence end if any."""
    pieces: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind("\n"), window.rfind(". ") + 1, window.rfind("! ") + 1,
                  window.rfind("? ") + 1)
        if cut <= limit // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text or not pieces:
        pieces.append(text)
    return pieces


def shown_text(message: dict[str, Any]) -> str:
    """The message's text as mrkdwn: escaped, an agent's reply under their name."""
    text = escape(message.get("text") or "")
    agent = message.get("agent_name")
    if message.get("sender") == "agent" and agent:
        return f"*{escape(agent)}* (Customer Success):\n{text}"
    return text


def button_title(title: str) -> str:
    return title if len(title) <= BUTTON_TITLE_CHARS else title[:BUTTON_TITLE_CHARS - 1] + "…"


def blocks_for(text: str, buttons: list[dict[str, str]]) -> list[dict[str, Any]] | None:
    """Block Kit for a message with buttons (sections, then actions); None without buttons (the
    plain `text` field renders mrkdwn)."""
    if not buttons:
        return None
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in split_text(text) if piece]
    usable = [b for b in buttons if 0 < len(b["payload"]) <= BUTTON_VALUE_CHARS]
    if usable:
        blocks.append({"type": "actions", "elements": [
            {"type": "button",
             "action_id": f"{BUTTON_ACTION_PREFIX}{index}",
             "text": {"type": "plain_text", "text": button_title(button["title"]) or "…",
                      "emoji": True},
             "value": button["payload"]}
            for index, button in enumerate(usable[:BUTTONS_PER_BLOCK])]})
    return blocks


def blocks_after_choice(blocks: list[dict[str, Any]], title: str) -> list[dict[str, Any]]:
    """A message's blocks once one of its buttons was pressed: its words as they were, its
    buttons replaced by the choice made (so a stray press can't answer it again)."""
    kept = [block for block in blocks if block.get("type") != "actions"]
    return [*kept, {"type": "context", "elements": [  # plain text: a title is never markup
        {"type": "plain_text", "text": f"\u2713 You chose: {title}", "emoji": True}]}]

"""Times typed relative to the times just shown: "later that week", "the next day", "earlier".

A small table of phrase families, each a pattern and the window it opens around the starts offered
in the previous bot message (seen in the client's zone):

    read_relative("anything later that week?", [wed 10:00, wed 15:00])
        -> Window(first_day=thu, last_day=sun), the text without the phrase

The window is one more constraint of a typed time (`TimeQuery.window` in actions.matching), so
"later that week, in the afternoon" keeps both parts.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class Window:
    """Where a time must fall: days from `first_day` to `last_day` (inclusive), strictly after
    `after` and before `before`; a part left None doesn't constrain."""

    first_day: date | None = None
    last_day: date | None = None
    after: datetime | None = None
    before: datetime | None = None

    def fits(self, start: datetime) -> bool:
        day = start.date()
        return ((self.first_day is None or day >= self.first_day)
                and (self.last_day is None or day <= self.last_day)
                and (self.after is None or start > self.after)
                and (self.before is None or start < self.before))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _later_that_week(shown: list[datetime]) -> Window:
    last = shown[-1].date()
    return Window(first_day=last + timedelta(days=1), last_day=_monday(last) + timedelta(days=6))


def _earlier_that_week(shown: list[datetime]) -> Window:
    first = shown[0].date()
    return Window(first_day=_monday(first), last_day=first - timedelta(days=1))


def _week_after(shown: list[datetime]) -> Window:
    monday = _monday(shown[0].date()) + timedelta(days=7)
    return Window(first_day=monday, last_day=monday + timedelta(days=6))


def _same_week(shown: list[datetime]) -> Window:
    monday = _monday(shown[0].date())
    return Window(first_day=monday, last_day=monday + timedelta(days=6))


def _later_that_day(shown: list[datetime]) -> Window:
    return Window(first_day=shown[-1].date(), last_day=shown[-1].date(), after=shown[-1])


def _earlier_that_day(shown: list[datetime]) -> Window:
    return Window(first_day=shown[0].date(), last_day=shown[0].date(), before=shown[0])


def _next_day(shown: list[datetime]) -> Window:
    day = shown[-1].date() + timedelta(days=1)
    return Window(first_day=day, last_day=day)


def _day_before(shown: list[datetime]) -> Window:
    day = shown[0].date() - timedelta(days=1)
    return Window(first_day=day, last_day=day)


def _same_day(shown: list[datetime]) -> Window:
    return Window(first_day=shown[0].date(), last_day=shown[0].date())


def _later(shown: list[datetime]) -> Window:
    return Window(after=shown[-1])


def _earlier(shown: list[datetime]) -> Window:
    return Window(before=shown[0])


_THAT = r"(?:on )?(?:that|the same|in (?:the|that|this)|this)"
# Most specific first: "later that week" before "later", "the day after" never "day after
# tomorrow", "the week after" never "the week after next" (a week named from today).
PHRASES: tuple[tuple[str, Callable[[list[datetime]], Window]], ...] = (
    (rf"\blater {_THAT} week\b|\btowards? the end of (?:the|that|this) week\b", _later_that_week),
    (rf"\bearlier {_THAT} week\b|\b(?:at )?the (?:start|beginning) of (?:the|that|this) week\b",
     _earlier_that_week),
    ((r"\b(?:the|a|one) week (?:after|later)\b(?!\s+(?:next|this))(?:\s+(?:that|those|these))?"
      r"|\ba week on\b"), _week_after),
    (rf"\blater {_THAT} day\b", _later_that_day),
    (rf"\bearlier {_THAT} day\b", _earlier_that_day),
    ((r"\b(?:the )?(?:next|following) day\b|\b(?:the )?day after\b(?!\s+tomorrow)"
      r"|\ba day later\b"), _next_day),
    ((r"\b(?:the )?(?:previous|preceding) day\b|\b(?:the )?day before\b(?!\s+yesterday)"
      r"|\ba day earlier\b"), _day_before),
    (r"\b(?:that|the same) week\b", _same_week),
    (r"\b(?:that|the same) day\b", _same_day),
    ((r"\blater(?: on)?(?: than (?:that|those|these|them))?\b"
      r"|\bafter (?:that|those|these|them)\b"), _later),
    (r"\bearlier(?: than (?:that|those|these|them))?\b|\bbefore (?:that|those|these|them)\b",
     _earlier),
)


def read_relative(text: str, shown: list[datetime]) -> tuple[Window | None, str]:
    """The window the first phrase relative to the `shown` starts opens, and the text without
    it; (None, text) when nothing was shown or no phrase is there. `text` is normalised (lower
    case, no accents)."""
    if not shown:
        return None, text
    ordered = sorted(shown)
    for pattern, window_of in PHRASES:
        found = re.search(pattern, text)
        if found:
            return window_of(ordered), text[:found.start()] + " " + text[found.end():]
    return None, text

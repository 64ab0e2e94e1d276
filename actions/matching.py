"""Turning what people type into one of the options we offered: a professional, a service, a time.

Pure functions (no platform, no tracker), so they are easy to test and to reason about:

    match_professionals("dr hansen", professionals)   -> [Sara]
    match_services("the 50 minute therapy", services)  -> [Individual therapy]
    match_slots("thursday 10:00", slots, now)          -> the open slots that fit
    choose_from_buttons("the second one", buttons)     -> the 2nd value offered
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from difflib import SequenceMatcher
from typing import Any

from actions.formatting import parse_time
from actions.shown_times import Window, read_relative

FUZZY_RATIO = 0.85
TITLE_WORDS = {"dr", "doctor", "prof", "mr", "mrs", "ms", "mx"}
# Words too generic to pick one professional or service by.
GENERIC_WORDS = {"session", "sessions", "individual", "appointment", "the", "a", "with", "and"}
SYNONYMS = {"therapist": "therapy", "psych": "psychologist", "physical": "physiotherapy"}
_SPECIAL_LETTERS = str.maketrans({"ð": "d", "þ": "th", "æ": "ae", "ø": "o", "ß": "ss", "ł": "l"})


def normalise(text: str) -> str:
    """Lower case, without accents: "Jón Einarsson" -> "jon einarsson"."""
    text = (text or "").lower().translate(_SPECIAL_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", normalise(text))


def _same_word(typed: str, known: str) -> bool:
    if typed == known:
        return True
    if len(typed) >= 4 and len(known) >= 3:
        return SequenceMatcher(None, typed, known).ratio() >= FUZZY_RATIO
    return False


def _keyword_hit(typed: str, known: str) -> bool:
    """A typed word names a keyword: equal, or a long enough prefix ("physio", "physiotherapy")."""
    typed = SYNONYMS.get(typed, typed)
    if typed == known:
        return True
    return len(typed) >= 5 and known.startswith(typed)


def _best(scored: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    top = max((score for score, _ in scored), default=0)
    return [item for score, item in scored if score == top] if top else []


def match_professionals(text: str, professionals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The professionals the text names, best first; one result means a clear match.

    Names win (accent-insensitive, a small typo allowed); only when no name matches are titles
    and service names tried ("the physio", "the coach", "therapy").
    """
    typed = [t for t in tokens(text) if t not in TITLE_WORDS]
    if not typed:
        return []
    by_name = []
    for professional in professionals:
        name_words = [w for w in tokens(professional.get("name", "")) if w not in TITLE_WORDS]
        hits = sum(1 for t in typed if any(_same_word(t, w) for w in name_words))
        by_name.append((hits, professional))
    named = _best(by_name)
    if named:
        return named
    by_keyword = []
    for professional in professionals:
        words = set(tokens(professional.get("title", "")))
        for service in professional.get("services", []):
            words.update(tokens(service.get("name", "")))
        words -= GENERIC_WORDS
        hits = sum(1 for t in typed
                   if t not in GENERIC_WORDS and any(_keyword_hit(t, w) for w in words))
        by_keyword.append((hits, professional))
    return _best(by_keyword)


def match_services(text: str, services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The services the text names ("coaching", "the 50 minute therapy")."""
    typed = [t for t in tokens(text) if t not in GENERIC_WORDS]
    scored = []
    for service in services:
        words = set(tokens(service.get("name", ""))) - GENERIC_WORDS
        hits = sum(1 for t in typed if any(_keyword_hit(t, w) or _same_word(t, w) for w in words))
        if str(service.get("duration_minutes")) in typed:
            hits += 1
        scored.append((hits, service))
    return _best(scored)


# -- times -----------------------------------------------------------------------------------

WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
PARTS_OF_DAY = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24), "tonight": (17, 24)}


@dataclass
class TimeQuery:
    """The parts of a time someone typed; every part given must fit."""

    exact: datetime | None = None
    day: date | None = None
    month_day: tuple[int, int] | None = None
    weekdays: set[int] = field(default_factory=set)
    hour: int | None = None
    minute: int | None = None
    hours: tuple[int, int] | None = None
    week_of: date | None = None  # the Monday of the week named ("next week")
    window: Window | None = None  # relative to the times shown ("later that week")

    def is_empty(self) -> bool:
        return (self.exact is None and self.day is None and self.month_day is None
                and not self.weekdays and self.hour is None and self.hours is None
                and self.week_of is None and self.window is None)

    def fits(self, start: datetime) -> bool:
        if self.exact is not None:
            return start == self.exact
        if self.window is not None and not self.window.fits(start):
            return False
        if self.day is not None and start.date() != self.day:
            return False
        if self.month_day is not None and (start.month, start.day) != self.month_day:
            return False
        if self.weekdays and start.weekday() not in self.weekdays:
            return False
        if self.week_of is not None and not (
                self.week_of <= start.date() < self.week_of + timedelta(days=7)):
            return False
        if self.hour is not None and start.hour != self.hour:
            return False
        if self.minute is not None and start.minute != self.minute:
            return False
        return self.hours is None or self.hours[0] <= start.hour < self.hours[1]


# Weeks named relative to the client's week (weeks start on Monday): how many weeks ahead.
RELATIVE_WEEKS = (
    (r"\b(?:the )?week after next\b|\bin (?:two|2) weeks(?: time)?\b", 2),
    (r"\bnext week\b|\b(?:the )?(?:following|coming) week\b|\bweek after this\b", 1),
    (r"\bthis week\b|\bthe rest of (?:the|this) week\b", 0),
)


def _weeks_ahead(take: Callable[[str], re.Match[str] | None]) -> int | None:
    """"next week Wednesday" is the Wednesday of next week, not this week's."""
    for pattern, weeks in RELATIVE_WEEKS:
        if take(pattern):
            return weeks
    return None


def parse_time_query(text: str, now: datetime, shown: list[datetime] | None = None) -> TimeQuery:
    """Read a day and/or a time of day out of free text ("Friday afternoon", "Dec 3rd at 10");
    with the starts just `shown`, also a time relative to them ("later that week", "earlier")."""
    query = TimeQuery()
    raw = (text or "").strip()
    iso = re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?", raw)
    if iso:
        try:
            query.exact = parse_time(iso.group())
            return query
        except ValueError:
            pass
    query.window, rest = read_relative(" " + normalise(raw) + " ", shown or [])

    def take(pattern: str) -> re.Match[str] | None:
        nonlocal rest
        found = re.search(pattern, rest)
        if found:
            rest = rest[:found.start()] + " " + rest[found.end():]
        return found

    if take(r"\bday after tomorrow\b"):
        query.day = now.date() + timedelta(days=2)
    elif take(r"\btomorrow\b"):
        query.day = now.date() + timedelta(days=1)
    elif take(r"\b(today|tonight)\b"):
        query.day = now.date()
    weeks_ahead = _weeks_ahead(take)
    if weeks_ahead is not None:
        query.week_of = now.date() - timedelta(days=now.weekday()) + timedelta(weeks=weeks_ahead)
    found = take(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?=\W)") or None
    if found:
        query.month_day = (MONTHS[found.group(2)], int(found.group(1)))
    else:
        found = take(rf"\b{_MONTH}\s+{_DAY}\b")
        if found:
            query.month_day = (MONTHS[found.group(1)], int(found.group(2)))
        else:
            found = take(r"\b(\d{1,2})/(\d{1,2})\b")
            if found:
                query.month_day = (int(found.group(2)), int(found.group(1)))
    for word in re.findall(r"[a-z]+", rest):
        if word in WEEKDAYS:
            query.weekdays.add(WEEKDAYS[word])
    for word, hours in PARTS_OF_DAY.items():
        if re.search(rf"\b{word}\b", rest):
            query.hours = hours
    if re.search(r"\b(noon|midday)\b", rest):
        query.hour, query.minute = 12, 0

    clock = (re.search(r"\b(\d{1,2})[:.](\d{2})\s*(am|pm|a\.m\.|p\.m\.)?", rest)
             or re.search(r"\b(\d{1,2})()\s*(am|pm|a\.m\.|p\.m\.)", rest)
             or re.search(r"(?:\bat|@|\baround|\babout)\s*(\d{1,2})()()\b", rest)
             or re.fullmatch(r"\s*(?:the\s+)?(\d{1,2})()()\s*(?:o\s?clock|h|one|please)?\s*", rest))
    if clock:
        hour = int(clock.group(1))
        minute = int(clock.group(2)) if clock.group(2) else None
        meridiem = (clock.group(3) or "").replace(".", "")
        if meridiem == "pm" and hour < 12:
            hour += 12
        elif meridiem == "am" and hour == 12:
            hour = 0
        elif not meridiem and 1 <= hour <= 7:
            hour += 12  # "at 2" during office hours means 14:00
        if hour < 24 and (minute is None or minute < 60):
            query.hour, query.minute = hour, minute
    return query


def match_slots(text: str, slots: list[dict[str, Any]], now: datetime,
                shown: list[str] | None = None) -> list[dict[str, Any]]:
    """The offered slots that fit the typed time; [] when the text names no time at all.

    Read in the zone of `now` (the client's: "tomorrow afternoon" is theirs), each slot's start
    seen in that zone too. `shown`: the starts offered in the previous bot message, which
    "later that week", "the next day", "earlier" are read against."""
    query = parse_time_query(text, now, _local_starts(shown, now))
    if query.is_empty():
        return []
    return [slot for slot in slots
            if query.fits(parse_time(slot["start"]).astimezone(now.tzinfo))]


def names_a_time(text: str, now: datetime, shown: list[str] | None = None) -> bool:
    return not parse_time_query(text, now, _local_starts(shown, now)).is_empty()


def _local_starts(starts: list[str] | None, now: datetime) -> list[datetime]:
    local = []
    for start in starts or []:
        try:
            local.append(parse_time(start).astimezone(now.tzinfo))
        except ValueError:
            continue
    return local


# -- buttons we offered ----------------------------------------------------------------------

ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
    "earliest": 1, "top": 1,
}


def payload_entities(payload: str) -> dict[str, Any]:
    """`/inform{"booking_start":"..."}` -> `{"booking_start": "..."}`."""
    found = re.match(r"^/[\w/]+(\{.*\})\s*$", payload or "")
    if not found:
        return {}
    try:
        value = json.loads(found.group(1))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def offered_choices(events: list[dict[str, Any]], entity: str) -> list[tuple[str, Any]]:
    """(title, value) of the buttons for `entity` in the latest bot message that offered some."""
    for event in reversed(events):
        if event.get("event") != "bot":
            continue
        buttons = (event.get("data") or {}).get("buttons") or []
        choices = [(b.get("title", ""), payload_entities(b.get("payload", "")).get(entity))
                   for b in buttons]
        choices = [(title, value) for title, value in choices if value is not None]
        if choices:
            return choices
    return []


def offered_last_turn(events: list[dict[str, Any]], entity: str) -> list[tuple[str, Any]]:
    """Like `offered_choices`, but only the bot messages since the user's previous message: what
    was on screen when the latest message was typed ([] if those offered no `entity`)."""
    users_seen = 0
    since: list[dict[str, Any]] = []
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            users_seen += 1
            if users_seen == 2:
                break
        elif kind in ("session_started", "restart"):
            break
        elif users_seen == 1:
            since.append(event)
    return offered_choices(list(reversed(since)), entity)


def choose_from_buttons(text: str, choices: list[tuple[str, Any]]) -> Any | None:
    """The value the text picks: a button's title typed out, or "the second one", "option 2"."""
    if not choices:
        return None
    wanted = normalise(text).strip(" .!")
    for title, value in choices:
        if normalise(title).strip() == wanted:
            return value
    words = tokens(text)
    if any(w in ("last", "latest") for w in words):
        return choices[-1][1]
    numbered = re.search(r"\b(?:option|number|no|nr|choice)\s*(\d)\b|#\s*(\d)\b", normalise(text))
    position = None
    if numbered:
        position = int(numbered.group(1) or numbered.group(2))
    else:
        position = next((ORDINALS[w] for w in words if w in ORDINALS), None)
    if position and 1 <= position <= len(choices):
        return choices[position - 1][1]
    return None

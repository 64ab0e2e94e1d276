"""Pure helpers: how money, times and e-mails are written, and how typed answers are matched."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from actions import formatting as fmt
from actions.matching import (
    choose_from_buttons,
    match_professionals,
    match_services,
    match_slots,
    names_a_time,
    offered_last_turn,
    parse_time_query,
)
from actions.support import consecutive_misses, is_risk

PROFESSIONALS = [
    {
        "id": "p-sara",
        "name": "Dr. Sara Hansen",
        "title": "Clinical psychologist",
        "services": [
            {"id": "s-sara-therapy", "name": "Individual therapy", "duration_minutes": 50}
        ],
    },
    {
        "id": "p-jon",
        "name": "Jón Einarsson",
        "title": "Physiotherapist",
        "services": [
            {"id": "s-jon-physio", "name": "Physiotherapy session", "duration_minutes": 45}
        ],
    },
    {
        "id": "p-maya",
        "name": "Maya Patel",
        "title": "Career coach",
        "services": [{"id": "s-maya-coaching", "name": "Coaching session", "duration_minutes": 60}],
    },
]
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday
SLOTS = [
    {"start": s}
    for s in (
        "2026-03-03T10:00:00Z",
        "2026-03-03T14:00:00Z",
        "2026-03-05T10:00:00Z",
        "2026-03-06T13:00:00Z",
        "2026-03-06T15:00:00Z",
    )
]


@pytest.mark.parametrize(
    "value, text",
    [
        ({"amount": 18000, "currency": "ISK"}, "18,000 ISK"),
        ({"amount": 120, "currency": "GBP"}, "120 GBP"),
        ({"amount": 120.0, "currency": "GBP"}, "120 GBP"),
        ({"amount": 120.5, "currency": "GBP"}, "120.50 GBP"),
    ],
)
def test_money_is_written_with_thousands_and_currency(value, text):
    """Major units, a thousands separator, decimals only when there are any."""
    assert fmt.money(value) == text


def test_times_and_dates_are_written_for_people():
    """Weekday, day, month and the zone for a session; a long date for a period end."""
    assert fmt.when("2026-11-27T10:00:00Z") == "Fri 27 Nov, 10:00 (UTC)"
    assert fmt.slot_title("2026-11-27T10:00:00Z") == "Fri 27 Nov, 10:00"
    assert fmt.long_date("2026-12-31") == "31 December 2026"


@pytest.mark.parametrize("zone, when, day", [
    ("Europe/Paris", "Thu 3 Dec, 15:00 (Paris time)", "Thu 3 Dec"),        # an hour ahead
    ("Europe/London", "Thu 3 Dec, 14:00 (London time)", "Thu 3 Dec"),
    ("Atlantic/Reykjavik", "Thu 3 Dec, 14:00 (Reykjavik time)", "Thu 3 Dec"),
    ("America/Los_Angeles", "Thu 3 Dec, 06:00 (Los Angeles time)", "Thu 3 Dec"),
    ("Pacific/Auckland", "Fri 4 Dec, 03:00 (Auckland time)", "Fri 4 Dec"),  # the next day there
    ("Not/AZone", "Thu 3 Dec, 14:00 (UTC)", "Thu 3 Dec"),                   # unknown: UTC, said
])
def test_times_are_shown_in_the_clients_zone_and_name_it(zone, when, day):
    start = "2026-12-03T14:00:00Z"
    assert fmt.when(start, fmt.zone_of(zone)) == when
    assert fmt.short_date(start, fmt.zone_of(zone)) == day


def test_summer_time_comes_from_the_tz_database():
    """London is UTC+1 in July (no hand-written offsets)."""
    london = fmt.zone_of("Europe/London")
    assert fmt.slot_title("2026-07-02T09:00:00Z", london) == "Thu 2 Jul, 10:00"


@pytest.mark.parametrize(
    "email, masked",
    [
        ("anna@northwind.example", "a***@northwind.example"),
        ("b@x.example", "b***@x.example"),
        (None, "your e-mail address"),
    ],
)
def test_email_addresses_are_masked_in_chat(email, masked):
    """Only the first letter of the local part is shown."""
    assert fmt.masked_email(email) == masked


def test_first_names_skip_titles():
    assert fmt.first_name("Dr. Sara Hansen") == "Sara" and fmt.first_name("Jón Einarsson") == "Jón"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("sara", ["p-sara"]),
        ("dr hansen", ["p-sara"]),
        ("Dr. Sara Hansen", ["p-sara"]),
        ("jon", ["p-jon"]),
        ("Jón Einarsson", ["p-jon"]),
        ("JON EINARSON", ["p-jon"]),
        ("maya", ["p-maya"]),
        ("Patel", ["p-maya"]),
        ("the physiotherapist", ["p-jon"]),
        ("the coach", ["p-maya"]),
        ("the psychologist", ["p-sara"]),
        ("therapy", ["p-sara"]),
        ("I want to book a session", []),
        ("the first one", []),
        ("may I book", []),
    ],
)
def test_professionals_are_matched_by_name_then_by_title(typed, expected):
    """Accent- and case-insensitive names with a small typo allowed; titles only if no name."""
    assert [p["id"] for p in match_professionals(typed, PROFESSIONALS)] == expected


def test_services_are_matched_by_name_or_length():
    services = [s for p in PROFESSIONALS for s in p["services"]]
    assert [s["id"] for s in match_services("coaching", services)] == ["s-maya-coaching"]
    assert [s["id"] for s in match_services("the 50 minute one", services)] == ["s-sara-therapy"]
    assert match_services("session", services) == []


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Tue 3 Mar, 10:00", ["2026-03-03T10:00:00Z"]),
        ("2026-03-05T10:00:00Z", ["2026-03-05T10:00:00Z"]),
        ("tuesday at 2", ["2026-03-03T14:00:00Z"]),
        ("2pm", ["2026-03-03T14:00:00Z"]),
        ("Friday afternoon", ["2026-03-06T13:00:00Z", "2026-03-06T15:00:00Z"]),
        ("tomorrow morning", ["2026-03-03T10:00:00Z"]),
        ("March 5th at 10", ["2026-03-05T10:00:00Z"]),
        ("10:00", ["2026-03-03T10:00:00Z", "2026-03-05T10:00:00Z"]),
        ("the one at 1pm", ["2026-03-06T13:00:00Z"]),
        ("sunday", []),
    ],
)
def test_typed_times_are_matched_against_the_open_slots(typed, expected):
    """Weekdays, dates, clock times and parts of the day narrow the open slots."""
    assert [s["start"] for s in match_slots(typed, SLOTS, NOW)] == expected


def test_text_without_a_time_is_not_a_time():
    assert parse_time_query("sara hansen please", NOW).is_empty()


def test_ordinals_and_titles_pick_from_the_buttons_offered():
    choices = [("Dr. Sara Hansen", "p-sara"), ("Maya Patel", "p-maya"), ("Jón Einarsson", "p-jon")]
    assert choose_from_buttons("the second one", choices) == "p-maya"
    assert choose_from_buttons("option 3", choices) == "p-jon"
    assert choose_from_buttons("the last one", choices) == "p-jon"
    assert choose_from_buttons("maya patel", choices) == "p-maya"
    assert choose_from_buttons("something else", choices) is None


@pytest.mark.parametrize(
    "text, risky",
    [
        ("I want to kill myself", True),
        ("I don't want to live anymore", True),
        ("thinking about suicide", True),
        ("I might hurt someone", True),
        ("my phone died", False),
        ("this booking page is killing me", False),
        ("how do I kill a process in linux", False),
        ("kms", True),
        ("I took a whole bottle of my sleeping pills", True),
        ("I'm planning to take an overdose", True),
        ("my partner hits me", True),
        ("my husband threatened to kill me", True),
        ("I don't feel safe at home", True),
        ("I'm going to jump off the bridge", True),
        ("can you overdose on vitamin C?", False),
        ("beats me, no idea", False),
        ("my mum will kill me if I'm late", False),
        ("I'm going to die of boredom", False),
        ("that comment really hurt me", False),
        ("none of these times suit me", False),
    ],
)
def test_the_risk_safety_net_catches_clear_phrases_only(text, risky):
    assert is_risk(text) is risky


def test_misses_are_counted_back_until_a_served_message():
    def turn(intent, action):
        return [
            {"event": "user", "parse_data": {"intent": {"name": intent}}},
            {"event": "action", "name": action},
        ]

    served = turn("ask_credits", "action_check_credits")
    missed = turn("nlu_fallback", "action_fallback")
    now = [{"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}}}]
    assert consecutive_misses(served + now) == 1
    assert consecutive_misses(served + missed + now) == 2
    assert consecutive_misses(missed + served + now) == 1


TWO_WEEKS = [{"start": s} for s in (
    "2026-03-04T10:00:00Z",  # Wednesday this week
    "2026-03-05T10:00:00Z",  # Thursday this week
    "2026-03-11T10:00:00Z",  # Wednesday next week
    "2026-03-11T15:00:00Z",
    "2026-03-13T09:00:00Z",  # Friday next week
    "2026-03-18T10:00:00Z",  # Wednesday the week after
)]


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("next week wednesday?", ["2026-03-11T10:00:00Z", "2026-03-11T15:00:00Z"]),
        ("wednesday next week", ["2026-03-11T10:00:00Z", "2026-03-11T15:00:00Z"]),
        ("next week, wednesday afternoon", ["2026-03-11T15:00:00Z"]),
        ("anything the following week", ["2026-03-11T10:00:00Z", "2026-03-11T15:00:00Z",
                                         "2026-03-13T09:00:00Z"]),
        ("this week thursday", ["2026-03-05T10:00:00Z"]),
        ("wednesday the week after next", ["2026-03-18T10:00:00Z"]),
        ("in two weeks", ["2026-03-18T10:00:00Z"]),
        ("wednesday", ["2026-03-04T10:00:00Z", "2026-03-11T10:00:00Z", "2026-03-11T15:00:00Z",
                       "2026-03-18T10:00:00Z"]),
    ],
)
def test_weeks_are_read_relative_to_the_clients_week(typed, expected):
    """"next week Wednesday" is the Wednesday of next week (weeks start on Monday)."""
    assert [s["start"] for s in match_slots(typed, TWO_WEEKS, NOW)] == expected


def test_next_week_on_a_sunday_is_the_week_that_starts_the_day_after():
    sunday = datetime(2026, 3, 8, 20, 0, tzinfo=UTC)
    assert [s["start"] for s in match_slots("next week friday", TWO_WEEKS, sunday)] == [
        "2026-03-13T09:00:00Z"]


PARIS = fmt.zone_of("Europe/Paris")
AUCKLAND = fmt.zone_of("Pacific/Auckland")


@pytest.mark.parametrize("typed, now, expected", [
    # 13:00 UTC is 14:00 in Paris: "at 2" and "afternoon" are Chloe's clock.
    ("friday at 2", NOW.astimezone(PARIS), ["2026-03-06T13:00:00Z"]),
    ("friday at 2", NOW, []),
    # 23:30 UTC on Monday is Tuesday 00:30 in Paris: her "tomorrow" is Wednesday.
    ("tomorrow", datetime(2026, 3, 2, 23, 30, tzinfo=UTC).astimezone(PARIS), []),
    ("tomorrow", datetime(2026, 3, 2, 22, 30, tzinfo=UTC).astimezone(PARIS),
     ["2026-03-03T10:00:00Z", "2026-03-03T14:00:00Z"]),
    # Sunday 20:00 UTC is already Monday in Auckland: "next week" is the week after.
    ("next week", datetime(2026, 3, 1, 20, 0, tzinfo=UTC).astimezone(AUCKLAND), []),
    ("this week thursday", datetime(2026, 3, 1, 20, 0, tzinfo=UTC).astimezone(AUCKLAND),
     ["2026-03-05T10:00:00Z"]),
])
def test_typed_times_are_read_in_the_clients_zone(typed, now, expected):
    """"tomorrow", "at 2", "next week" are read on the client's own clock and calendar."""
    assert [s["start"] for s in match_slots(typed, SLOTS, now)] == expected


# -- times relative to the ones just shown (issue 8) ---------------------------------------------

SHOWN_WEDNESDAY = ["2026-03-04T10:00:00Z", "2026-03-04T15:00:00Z"]
AROUND_WEDNESDAY = [{"start": s} for s in (
    "2026-03-03T10:00:00Z",  # Tuesday
    "2026-03-04T09:00:00Z",  # Wednesday, before the ones shown
    "2026-03-04T10:00:00Z",  # shown
    "2026-03-04T15:00:00Z",  # shown
    "2026-03-04T16:00:00Z",  # Wednesday, after the ones shown
    "2026-03-05T10:00:00Z",  # Thursday
    "2026-03-06T13:00:00Z",  # Friday
    "2026-03-10T10:00:00Z",  # Tuesday next week
    "2026-03-11T10:00:00Z",  # Wednesday next week
)]
LATER_THAT_WEEK = ["2026-03-05T10:00:00Z", "2026-03-06T13:00:00Z"]
NEXT_WEEK = ["2026-03-10T10:00:00Z", "2026-03-11T10:00:00Z"]


@pytest.mark.parametrize("typed, expected", [
    # later / earlier that week: the other days of the shown week
    ("anything later that week?", LATER_THAT_WEEK),
    ("later in the week", LATER_THAT_WEEK),
    ("something later this week please", LATER_THAT_WEEK),
    ("towards the end of the week", LATER_THAT_WEEK),
    ("earlier that week?", ["2026-03-03T10:00:00Z"]),
    ("earlier in the week", ["2026-03-03T10:00:00Z"]),
    # the week after the one shown
    ("the week after", NEXT_WEEK),
    ("a week later?", NEXT_WEEK),
    ("what about one week after that", NEXT_WEEK),
    # later / earlier that day
    ("later that day", ["2026-03-04T16:00:00Z"]),
    ("anything later on the same day", ["2026-03-04T16:00:00Z"]),
    ("earlier in the day?", ["2026-03-04T09:00:00Z"]),
    # the next / previous day
    ("the next day?", ["2026-03-05T10:00:00Z"]),
    ("what about the day after", ["2026-03-05T10:00:00Z"]),
    ("a day later", ["2026-03-05T10:00:00Z"]),
    ("the day before", ["2026-03-03T10:00:00Z"]),
    # plain later / earlier: after the last time shown, before the first
    ("anything later?", ["2026-03-04T16:00:00Z", *LATER_THAT_WEEK, *NEXT_WEEK]),
    ("later than those", ["2026-03-04T16:00:00Z", *LATER_THAT_WEEK, *NEXT_WEEK]),
    ("something earlier", ["2026-03-03T10:00:00Z", "2026-03-04T09:00:00Z"]),
    # combined with the other parts of a typed time
    ("later that week, in the afternoon", ["2026-03-06T13:00:00Z"]),
    ("later, on thursday", ["2026-03-05T10:00:00Z"]),
    ("anything later next week?", NEXT_WEEK),
    # phrases named from today stay as they were
    ("the day after tomorrow", ["2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z",
                                "2026-03-04T15:00:00Z", "2026-03-04T16:00:00Z"]),
    ("the week after next", []),
])
def test_times_are_read_relative_to_the_ones_just_shown(typed, expected):
    """Shown Wednesday's times, "later that week" is Thursday and Friday, never earlier ones."""
    assert [s["start"] for s in match_slots(typed, AROUND_WEDNESDAY, NOW, SHOWN_WEDNESDAY)] == (
        expected)


@pytest.mark.parametrize("typed", ["later that week", "anything earlier?", "the next day"])
def test_relative_phrases_need_times_shown_before(typed):
    """With nothing shown there is nothing to be later than: not a time at all."""
    assert not names_a_time(typed, NOW)
    assert match_slots(typed, AROUND_WEDNESDAY, NOW) == []


def test_the_earliest_and_the_latest_still_pick_a_button_not_a_window():
    assert not names_a_time("the earliest one", NOW, SHOWN_WEDNESDAY)
    assert not names_a_time("the latest", NOW, SHOWN_WEDNESDAY)
    assert names_a_time("the week after next", NOW, SHOWN_WEDNESDAY)


def test_relative_days_are_the_clients_days():
    """Shown Wednesday 23:30 UTC, which is Thursday 00:30 in Paris: her "the next day" is
    Friday."""
    now = NOW.astimezone(PARIS)
    slots = [{"start": "2026-03-05T10:00:00Z"}, {"start": "2026-03-06T10:00:00Z"}]
    assert [s["start"] for s in match_slots("the next day", slots, now,
                                            ["2026-03-04T23:30:00Z"])] == ["2026-03-06T10:00:00Z"]


def _bot(*starts: str) -> dict:
    return {"event": "bot", "data": {"buttons": [
        {"title": s, "payload": f'/inform{{"booking_start":"{s}"}}'} for s in starts]}}


def test_the_times_shown_are_the_ones_in_the_bot_message_before_the_latest_one():
    user = {"event": "user", "text": "x"}
    assert [v for _, v in offered_last_turn([user, _bot(*SHOWN_WEDNESDAY), user], "booking_start")
            ] == SHOWN_WEDNESDAY
    # An older offer, then a message without times: nothing was on screen.
    stale = [user, _bot(*SHOWN_WEDNESDAY), user, {"event": "bot", "data": {"text": "Hi"}}, user]
    assert offered_last_turn(stale, "booking_start") == []

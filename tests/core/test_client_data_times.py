"""The readable copy of a client's conversations gives times on the client's own clock."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.core.client_data import readable_text

DOCUMENT = {"client_id": "c-chloe", "exported_at": "2026-11-30T20:03:55.120000Z",
            "conversations": [{"conversation_id": "w1", "channel": "widget",
                               "started_at": "2026-07-06T23:30:00Z",
                               "messages": [{"at": "2026-07-06T23:30:05Z", "from": "you",
                                             "text": "hello"}]}]}


def test_times_in_paris_time_summer_and_winter_with_the_day_shift():
    lines = readable_text(DOCUMENT, ZoneInfo("Europe/Paris")).splitlines()
    assert lines[0].endswith("as of 2026-11-30 21:03:55 (times in Paris time).")
    assert lines[2].endswith("started 2026-07-07 01:30:00")  # CEST: the next day in Paris
    assert lines[3] == "  [2026-07-07 01:30:05] you: hello"


def test_times_in_utc_named_when_the_zone_is_unknown():
    lines = readable_text(DOCUMENT).splitlines()
    assert lines[0].endswith("as of 2026-11-30 20:03:55 (times in UTC).")
    assert lines[3] == "  [2026-07-06 23:30:05] you: hello"

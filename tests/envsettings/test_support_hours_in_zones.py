"""The team's hours (configured in UTC) told on the client's own clock: DST, day shifts."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from envsettings.support_hours import SupportHours, describe
from envsettings.zones import zone_name, zone_of

WEEKDAYS_9_TO_17 = SupportHours(9, 17, (0, 1, 2, 3, 4))
MONDAY_IN_WINTER = datetime(2026, 11, 30, 12, tzinfo=UTC)
MONDAY_IN_SUMMER = datetime(2026, 7, 6, 12, tzinfo=UTC)


def test_utc_is_still_named_when_the_zone_is_unknown():
    assert (describe(WEEKDAYS_9_TO_17, UTC, MONDAY_IN_WINTER)
            == "Monday to Friday, 09:00–17:00 (UTC)")
    assert describe(WEEKDAYS_9_TO_17, zone_of(None), MONDAY_IN_WINTER).endswith("(UTC)")
    assert describe(WEEKDAYS_9_TO_17, zone_of("Not/AZone"), MONDAY_IN_WINTER).endswith("(UTC)")


def test_paris_in_winter_and_in_summer():
    paris = ZoneInfo("Europe/Paris")
    assert (describe(WEEKDAYS_9_TO_17, paris, MONDAY_IN_WINTER)
            == "Monday to Friday, 10:00–18:00 Paris time")
    assert (describe(WEEKDAYS_9_TO_17, paris, MONDAY_IN_SUMMER)
            == "Monday to Friday, 11:00–19:00 Paris time")


def test_a_dst_change_within_the_coming_week_is_told_day_by_day():
    """From Wednesday 24 March 2027: London moves to BST on Sunday 28, so the coming Monday and
    Tuesday open an hour later on the client's clock than Wednesday to Friday."""
    wednesday = datetime(2027, 3, 24, 8, tzinfo=UTC)
    assert (describe(WEEKDAYS_9_TO_17, ZoneInfo("Europe/London"), wednesday)
            == "Monday, Tuesday, 10:00–18:00; Wednesday to Friday, 09:00–17:00 London time")


def test_hours_that_cross_the_clients_midnight_say_the_next_day():
    assert (describe(WEEKDAYS_9_TO_17, ZoneInfo("Pacific/Auckland"), MONDAY_IN_WINTER)
            == "Monday to Friday, 22:00–06:00 the next day, Auckland time")


def test_hours_that_fall_on_the_clients_next_day_shift_the_days():
    evenings = SupportHours(20, 24, (0, 1, 2, 3, 4))
    assert (describe(evenings, ZoneInfo("Asia/Tokyo"), MONDAY_IN_WINTER)
            == "Tuesday to Saturday, 05:00–09:00 Tokyo time")
    assert (describe(WEEKDAYS_9_TO_17, ZoneInfo("America/Los_Angeles"), MONDAY_IN_WINTER)
            == "Monday to Friday, 01:00–09:00 Los Angeles time")


def test_a_close_at_midnight_and_a_team_that_never_chats_live():
    assert describe(SupportHours(0, 24, tuple(range(7))), UTC) == "every day, 00:00–24:00 (UTC)"
    assert describe(SupportHours(9, 17, ()), ZoneInfo("Europe/Paris")) is None


def test_zones_are_named_as_a_client_reads_them():
    assert zone_name(ZoneInfo("America/Los_Angeles")) == "Los Angeles time"
    assert zone_name(ZoneInfo("Etc/UTC")) == "UTC"

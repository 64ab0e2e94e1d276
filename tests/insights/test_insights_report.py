"""The report's figures on a seeded set of conversations with known answers
(tests/helpers/insights_seed.py), on SQLite and on PostgreSQL: every figure asserted exactly."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.gateway.insights_charts import csv_text, time_series_png, topics_png
from bot.store.db import Database, make_engine
from bot.store.insights import Period, Report, report
from bot.store.migrate import upgrade_head
from tests.helpers.insights_seed import ADDING_CARD, NOW, PERIOD_END, PERIOD_START, seed
from tests.helpers.postgres import BOTH_BACKENDS, require_postgres, temporary_schema

WINDOW = timedelta(minutes=30)


@pytest.fixture(scope="module", params=BOTH_BACKENDS)
def db(request, tmp_path_factory) -> Iterator[Database]:
    if request.param == "postgresql":
        require_postgres()
        with temporary_schema() as url:
            yield _seeded(url)
    else:
        yield _seeded(f"sqlite:///{tmp_path_factory.mktemp('insights') / 'store.db'}")


def _seeded(url: str) -> Database:
    engine = make_engine(url)
    upgrade_head(engine)
    database = Database(engine)
    database.run_sync(seed)
    return database


def _report(db: Database, channel: str | None = None, now: datetime = NOW,
            start: datetime = PERIOD_START, end: datetime = PERIOD_END) -> Report:
    return db.run_sync(lambda session: report(session, Period(start, end, channel), now, WINDOW))


def test_the_period_counts_its_conversations_and_who_answered_them(db):
    """13 conversations in 1-7 Nov (the one of 9 Nov is not); 12 answered by the assistant."""
    found = _report(db)
    assert found.conversations == 13
    assert (found.involvement.value, found.involvement.group) == (12 / 13, 13)


def test_resolution_counts_that_helped_and_quiet_answers_never_a_handoff(db):
    """Resolved by the assistant: A1-A3, B1, B2 ("That helped"), A4, B3, C1 (nothing more, no
    handoff); not A5 (more help), A6, B5 (handoffs), B4 (wrote again): 8 of 12."""
    found = _report(db)
    assert (found.resolution.value, found.resolution.group) == (8 / 12, 12)
    assert (found.helped, found.more_help) == (5, 1)


def test_an_answer_is_not_resolved_before_the_set_time_has_passed(db):
    """20 minutes after A4's answer (window 30) it isn't resolved yet; the "That helped" ones
    are: 3 of the 6 of 1 Nov."""
    found = _report(db, now=PERIOD_START + timedelta(hours=12, minutes=20),
                    end=PERIOD_START + timedelta(days=1))
    assert found.conversations == 6
    assert found.resolution.value == 3 / 6


def test_handoffs_by_reason_and_the_fallback_rate(db):
    found = _report(db)
    assert (found.handoff.value, found.handoff.group) == (4 / 13, 13)
    assert {reason: figure.value for reason, figure in found.handoff_by_reason.items()} == {
        "requested": 1 / 13, "safety": 1 / 13, "not_understood": 1 / 13,
        "platform_unavailable": 1 / 13}
    assert (found.fallback.value, found.fallback.group) == (2 / 12, 12)


def test_times_to_first_reply_and_to_resolution(db):
    """Four conversations had an agent's reply: fewer than 5, no figure. Ten were resolved:
    5 x 120 s ("That helped" at 2 min), 3 x 1 s (the quiet answers), 1,200 s and 600 s (agents)."""
    found = _report(db)
    assert (found.first_agent_reply_seconds.value, found.first_agent_reply_seconds.group) == \
        (None, 4)
    assert (found.resolution_seconds.value, found.resolution_seconds.group) == (240.3, 10)


def test_csat_is_the_share_rated_4_or_5(db):
    """Ratings 5, 2, 5, 3, 4: CSAT 3 of 5, average 3.8."""
    found = _report(db)
    assert (found.csat.value, found.csat.group) == (3 / 5, 5)
    assert found.average_rating.value == pytest.approx(3.8)


def test_top_topics_with_their_resolution_and_fallback_rates(db):
    found = _report(db)
    rows = [(t.topic, t.conversations, t.resolution.value, t.fallback.value) for t in found.topics]
    assert rows == [(ADDING_CARD, 6, 4 / 6, 1 / 6), ("ask_credits", 5, 3 / 5, 0.0)]


def test_days_without_five_conversations_have_no_resolution_figure(db):
    found = _report(db)
    days = [(d.day, d.conversations, d.resolution.value) for d in found.days]
    assert days[:4] == [(date(2026, 11, 1), 6, 4 / 6), (date(2026, 11, 2), 5, 3 / 5),
                        (date(2026, 11, 3), 2, None), (date(2026, 11, 4), 0, None)]
    assert len(days) == 7


def test_one_channel_only(db):
    slack = _report(db, channel="slack")
    assert (slack.conversations, slack.involvement.value, slack.resolution.value,
            slack.handoff_by_reason["safety"].value) == (5, 1.0, 3 / 5, 1 / 5)
    telegram = _report(db, channel="telegram")
    assert telegram.conversations == 2 and telegram.too_few
    assert telegram.involvement.value is None


def test_the_csv_and_the_plots_carry_the_same_figures(db):
    found = _report(db)
    text = csv_text(found)
    assert "resolution rate %,67%,12\n" in text
    assert "time to first agent reply (s),fewer than 5,4\n" in text
    assert "topic: Help: adding card: resolution rate %,67%,6\n" in text
    assert "day 2026-11-03: resolution rate %,fewer than 5,1\n" in text
    for png in (time_series_png(found), topics_png(found)):
        assert png.startswith(b"\x89PNG") and len(png) > 5000


def test_a_period_of_fewer_than_five_conversations_shows_no_figure(db):
    found = _report(db, start=datetime(2026, 11, 3, tzinfo=UTC), end=datetime(2026, 11, 4,
                                                                               tzinfo=UTC))
    assert found.conversations == 2 and found.too_few
    assert csv_text(found).splitlines()[1:] == ["conversations,2,2", "all figures,fewer than 5,2"]

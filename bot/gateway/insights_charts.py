"""The report's plots, drawn on the server as PNG with matplotlib (a Figure, no pyplot: no
display, no global state), and its CSV: the same figures as the page, built from one `Report`
(bot/store/insights.py).

A day or a topic of fewer than MIN_GROUP conversations has no resolution point or bar; the CSV
says "fewer than 5" instead of its figure.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from matplotlib.dates import DateFormatter, date2num
from matplotlib.figure import Figure as Plot  # drawn without pyplot: no global state, no display

from bot.store.insights import MIN_GROUP, Figure, Report

BLUE, GREEN, GREY = "#2563eb", "#16a34a", "#9ca3af"
FEWER = f"fewer than {MIN_GROUP}"
REASON_NAMES = {"requested": "asked for a person", "safety": "safety",
                "not_understood": "not understood", "platform_unavailable": "platform down"}
ACCOUNT_NAMES = {"ask_credits": "Credits left", "ask_connections": "Connections",
                 "ask_upcoming_sessions": "Upcoming sessions", "ask_invoices": "Unpaid invoices",
                 "resend_invoice": "Re-send an invoice", "book_session": "Book a session",
                 "cancel_session": "Cancel a session"}


def topic_name(topic: str) -> str:
    """`faq/adding_card` → "Help: adding card"; an account intent by its name."""
    if "/" in topic:
        return "Help: " + topic.split("/", 1)[1].replace("_", " ")
    return ACCOUNT_NAMES.get(topic, topic.replace("_", " ").capitalize())


def _png(plot: Plot) -> bytes:
    out = io.BytesIO()
    plot.savefig(out, format="png", dpi=100, bbox_inches="tight")
    return out.getvalue()


def time_series_png(report: Report) -> bytes:
    """Conversations a day (bars) and the day's resolution rate (points, where the day had at
    least MIN_GROUP involved conversations)."""
    plot = Plot(figsize=(8, 3.2))
    axes = plot.subplots()
    days = [float(date2num(row.day)) for row in report.days]
    axes.bar(days, [row.conversations for row in report.days], color=BLUE, alpha=0.35,
             label="conversations")
    axes.xaxis.set_major_formatter(DateFormatter("%d %b"))
    axes.set_ylabel("conversations")
    rate = axes.twinx()
    points = [(float(date2num(row.day)), row.resolution.value * 100) for row in report.days
              if row.resolution.value is not None]
    rate.plot([d for d, _ in points], [v for _, v in points], "o-", color=GREEN,
              label="resolution rate")
    rate.set_ylim(0, 100)
    rate.set_ylabel("resolution rate, %")
    axes.set_title("Conversations and resolution rate, by day (UTC)")
    plot.autofmt_xdate()
    return _png(plot)


def topics_png(report: Report) -> bytes:
    """Conversations per topic, with each topic's resolution rate written at its bar (topics of
    at least MIN_GROUP conversations only)."""
    rows = [row for row in report.topics if row.conversations >= MIN_GROUP][::-1]
    plot = Plot(figsize=(8, max(1.6, 0.45 * len(rows) + 0.9)))
    axes = plot.subplots()
    if not rows:
        axes.text(0.5, 0.5, f"No topic with at least {MIN_GROUP} conversations", ha="center",
                  va="center", color=GREY)
        axes.set_axis_off()
        return _png(plot)
    bars = axes.barh([topic_name(row.topic) for row in rows], [row.conversations for row in rows],
                     color=BLUE)
    labels = [f"{_percent(row.resolution)} resolved" for row in rows]
    axes.bar_label(bars, labels=labels, padding=3, fontsize=8)
    axes.set_xlabel("conversations")
    axes.set_title("Top topics")
    axes.margins(x=0.25)
    return _png(plot)


def _percent(figure: Figure) -> str:
    return FEWER if figure.value is None else f"{figure.value * 100:.0f}%"


def _seconds(figure: Figure) -> str:
    return FEWER if figure.value is None else f"{figure.value:.0f}"


def _number(figure: Figure) -> str:
    return FEWER if figure.value is None else f"{figure.value:.2f}"


def rows(report: Report) -> Iterator[list[str]]:
    """The report's figures as CSV rows: figure, value, group (conversations it is about)."""
    yield ["figure", "value", "group"]
    yield ["conversations", str(report.conversations), str(report.conversations)]
    if report.too_few:
        yield ["all figures", FEWER, str(report.conversations)]
        return
    yield ["involvement %", _percent(report.involvement), str(report.involvement.group)]
    yield ["resolution rate %", _percent(report.resolution), str(report.resolution.group)]
    yield ["handoff rate %", _percent(report.handoff), str(report.handoff.group)]
    for reason, figure in report.handoff_by_reason.items():
        yield [f"handoff rate % ({REASON_NAMES[reason]})", _percent(figure), str(figure.group)]
    yield ["fallback rate %", _percent(report.fallback), str(report.fallback.group)]
    yield ["time to first agent reply (s)", _seconds(report.first_agent_reply_seconds),
           str(report.first_agent_reply_seconds.group)]
    yield ["time to resolution (s)", _seconds(report.resolution_seconds),
           str(report.resolution_seconds.group)]
    yield ["CSAT % (rated 4 or 5)", _percent(report.csat), str(report.csat.group)]
    yield ["average rating", _number(report.average_rating), str(report.average_rating.group)]
    yield ["'That helped'", str(report.helped), ""]
    yield ["'I need more help'", str(report.more_help), ""]
    for topic in report.topics:
        name = topic_name(topic.topic)
        yield [f"topic: {name}: conversations", str(topic.conversations), str(topic.conversations)]
        yield [f"topic: {name}: resolution rate %", _percent(topic.resolution),
               str(topic.conversations)]
        yield [f"topic: {name}: fallback rate %", _percent(topic.fallback),
               str(topic.conversations)]
    for day in report.days:
        yield [f"day {day.day.isoformat()}: conversations", str(day.conversations),
               str(day.conversations)]
        yield [f"day {day.day.isoformat()}: resolution rate %", _percent(day.resolution),
               str(day.resolution.group)]


def csv_text(report: Report) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows(report))
    return out.getvalue()

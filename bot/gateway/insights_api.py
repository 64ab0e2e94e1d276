"""The team's report for leads: `/console/insights` (the page) and its data under
/console/api/insights (JSON, CSV, two PNG plots), all for the same period and channel:

    ?start=2026-11-01&end=2026-11-30&channel=widget   (UTC days, both included; channel optional)

Without dates: the last 30 days up to today. Agents without the `lead` role get 403 (the page
too), a visitor without a session 401 (the page sends them to the console's login).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from bot.gateway import insights_charts as charts
from bot.gateway.auth import COOKIE, LeadDep
from bot.gateway.errors import ApiError
from bot.gateway.services import Services, services
from bot.gateway.static import NO_CACHE, STATIC
from bot.store.agents import is_lead
from bot.store.insights import Figure, Period, Report, report
from bot.store.models import now_utc

routes = APIRouter(tags=["insights"])
ServicesDep = Annotated[Services, Depends(services)]
CHANNELS = ("widget", "slack", "telegram")
DEFAULT_DAYS = 30
MAX_DAYS = 366


@routes.get("/console/insights", include_in_schema=False, response_model=None)
async def page(request: Request, svc: ServicesDep) -> Response:
    token = request.cookies.get(COOKIE)
    agent = await svc.auth.agent(token) if token else None
    if agent is None:
        return RedirectResponse("/console", status_code=303)
    if not is_lead(agent):
        return Response("Only a team lead can see the report.", status_code=403,
                        media_type="text/plain; charset=utf-8")
    return FileResponse(STATIC / "insights.html", media_type="text/html; charset=utf-8",
                        headers=NO_CACHE)


def period_of(start: str | None, end: str | None, channel: str | None) -> Period:
    """The UTC days asked for (both included), or 400 naming what's wrong."""
    today = now_utc().date()
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError as exc:
        raise ApiError(400, "bad_date", "Dates are written 2026-11-30.") from exc
    if first > last or (last - first).days >= MAX_DAYS:
        raise ApiError(400, "bad_period", f"The period runs forward, at most {MAX_DAYS} days.")
    if channel and channel not in CHANNELS:
        raise ApiError(400, "bad_channel", f"The channel is one of {', '.join(CHANNELS)}.")
    return Period(datetime.combine(first, time(), UTC),
                  datetime.combine(last + timedelta(days=1), time(), UTC), channel or None)


async def _report(svc: Services, start: str | None, end: str | None,
                  channel: str | None) -> Report:
    period = period_of(start, end, channel)
    window = timedelta(minutes=svc.settings.insights_resolution_minutes)
    return await svc.db.run(lambda session: report(session, period, now_utc(), window))


Start = Annotated[str | None, Query()]
End = Annotated[str | None, Query()]
Channel = Annotated[str | None, Query()]


def _figure(figure: Figure) -> dict[str, Any]:
    return {"value": figure.value, "group": figure.group}


def report_json(found: Report) -> dict[str, Any]:
    period = found.period
    return {
        "period": {"start": period.start.date().isoformat(),
                   "end": (period.end - timedelta(days=1)).date().isoformat(),
                   "channel": period.channel},
        "min_group": charts.MIN_GROUP,
        "too_few": found.too_few,
        "conversations": found.conversations,
        "involvement": _figure(found.involvement),
        "resolution": _figure(found.resolution),
        "handoff": _figure(found.handoff),
        "handoff_by_reason": {reason: {**_figure(figure), "name": charts.REASON_NAMES[reason]}
                              for reason, figure in found.handoff_by_reason.items()},
        "fallback": _figure(found.fallback),
        "first_agent_reply_seconds": _figure(found.first_agent_reply_seconds),
        "resolution_seconds": _figure(found.resolution_seconds),
        "csat": _figure(found.csat),
        "average_rating": _figure(found.average_rating),
        "helped": found.helped,
        "more_help": found.more_help,
        "topics": [{"topic": row.topic, "name": charts.topic_name(row.topic),
                    "conversations": row.conversations, "resolution": _figure(row.resolution),
                    "fallback": _figure(row.fallback)} for row in found.topics],
    }


@routes.get("/console/api/insights")
async def insights(_: LeadDep, svc: ServicesDep, start: Start = None, end: End = None,
                   channel: Channel = None) -> dict[str, Any]:
    found = await _report(svc, start, end, channel)
    data = report_json(found)
    if found.too_few:  # nothing but the count
        return {key: data[key] for key in ("period", "min_group", "too_few", "conversations")}
    return data


@routes.get("/console/api/insights.csv")
async def insights_csv(_: LeadDep, svc: ServicesDep, start: Start = None, end: End = None,
                       channel: Channel = None) -> Response:
    found = await _report(svc, start, end, channel)
    name = f"insights-{report_json(found)['period']['start']}.csv"
    return Response(charts.csv_text(found), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             **NO_CACHE})


@routes.get("/console/api/insights/{plot}.png")
async def insights_png(plot: str, _: LeadDep, svc: ServicesDep, start: Start = None,
                       end: End = None, channel: Channel = None) -> Response:
    draw = {"days": charts.time_series_png, "topics": charts.topics_png}.get(plot)
    if draw is None:
        raise ApiError(404, "not_found", "The plots are days.png and topics.png.")
    found = await _report(svc, start, end, channel)
    if found.too_few:
        raise ApiError(404, "too_few", f"Fewer than {charts.MIN_GROUP} conversations.")
    png = await anyio.to_thread.run_sync(draw, found)
    return Response(png, media_type="image/png", headers=NO_CACHE)

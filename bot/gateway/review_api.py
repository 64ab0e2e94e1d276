"""The review queue's page and API (/console/review), for leads only (bot/core/review_desk.py).

    GET  /console/review                         the page (bot/static/console/review.html)
    GET  /console/api/review/items               open items, most often seen first
    GET  /console/api/review/labels              the intents and help topics a lead may give
    POST /console/api/review/items/{id}          {"decision": "label"|"out_of_scope"|"skip",
                                                  "label": "ask_credits"}
    POST /console/api/review/export              write the decisions as a training data batch

Every API route needs a logged-in lead (`bot.gateway.auth.LeadDep`: 403 `leads_only` for
another agent); the POSTs also the console's CSRF header.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse
from pydantic import Field

from bot.core.review_desk import BadDecision, ReviewDesk, UnknownItem
from bot.gateway.auth import ConsoleHeader, LeadDep
from bot.gateway.errors import ApiError
from bot.gateway.schemas import Body
from bot.gateway.services import Services, services
from bot.gateway.static import CONSOLE, console_html

routes = APIRouter(prefix="/console/api/review", tags=["review"])
page = APIRouter(tags=["static"])
ServicesDep = Annotated[Services, Depends(services)]


class Decision(Body):
    decision: Annotated[str, Field(max_length=20)]
    label: Annotated[str, Field(max_length=100)] | None = None


def _desk(svc: Services) -> ReviewDesk:
    return svc.review


@page.get("/console/review", include_in_schema=False)
async def review_page() -> FileResponse:
    return console_html(CONSOLE / "review.html")


@routes.get("/items")
async def items(_: LeadDep, svc: ServicesDep) -> dict:
    return {"items": await _desk(svc).items()}


@routes.get("/labels")
async def labels(_: LeadDep, svc: ServicesDep) -> dict:
    return {"labels": _desk(svc).labels()}


@routes.post("/items/{item_id}", dependencies=[ConsoleHeader])
async def decide(item_id: int, body: Decision, agent: LeadDep, svc: ServicesDep) -> dict:
    try:
        return {"item": await _desk(svc).decide(agent, item_id, body.decision, body.label)}
    except UnknownItem as exc:
        raise ApiError(404, "not_found", "No such item in the review queue.") from exc
    except BadDecision as exc:
        raise ApiError(422, "bad_decision", str(exc)) from exc


@routes.post("/export", dependencies=[ConsoleHeader])
async def export(agent: LeadDep, svc: ServicesDep) -> dict:
    """The decided messages, as one batch file of training data (none: nothing new to write)."""
    return await _desk(svc).export(agent.id)

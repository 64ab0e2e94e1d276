"""Slack's HTTP requests (events and interactivity, both at POST /slack/events), handed to bolt.

Bolt's FastAPI adapter does the protocol: the signature check (a forged or stale request → 401,
nothing done), Slack's URL check, the acknowledgement at once; the listeners (bot/channels/slack.py)
run after it. Mounted only when Slack is on in HTTP mode (Socket Mode needs no route).
"""
from __future__ import annotations

from fastapi import APIRouter, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from bot.channels.slack import SlackChannel

EVENTS_PATH = "/slack/events"


def routes(slack: SlackChannel) -> APIRouter:
    handler = AsyncSlackRequestHandler(slack.app)
    router = APIRouter()

    @router.post(EVENTS_PATH, include_in_schema=False)
    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return router

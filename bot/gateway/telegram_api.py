"""Telegram's webhook: `POST /telegram/webhook` (webhook mode, TELEGRAM_MODE=webhook).

Telegram sends every update with the secret the gateway gave it in setWebhook, in the header
`X-Telegram-Bot-Api-Secret-Token`; it is compared in constant time before the body is read.
Missing → 401 `missing_secret_token`, wrong → 403 `wrong_secret_token`; a body that isn't a
Telegram update → 400 `invalid_update`. Nothing is stored in any of these cases. A good update is
acknowledged at once (`200 {"ok": true}`) and handled in the background (bot/channels/telegram.py),
so Telegram never waits for the assistant. Without Telegram in webhook mode → 404.
"""
from __future__ import annotations

import hmac
import json

from fastapi import APIRouter, Request

from bot.channels.telegram import MalformedUpdate
from bot.gateway.errors import ApiError
from bot.gateway.services import services

routes = APIRouter()

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@routes.post("/telegram/webhook", include_in_schema=False)
async def telegram_webhook(request: Request) -> dict[str, bool]:
    channel = services(request).telegram
    expected = channel.webhook_secret if channel is not None else None
    if channel is None or expected is None:
        raise ApiError(404, "telegram_webhook_off",
                       "Telegram's webhook is not enabled on this gateway.")
    given = request.headers.get(SECRET_HEADER)
    if not given:
        raise ApiError(401, "missing_secret_token",
                       f"The {SECRET_HEADER} header is required.")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(403, "wrong_secret_token", f"The {SECRET_HEADER} header is wrong.")
    try:
        update = channel.parse(json.loads(await request.body()))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and MalformedUpdate are both
        detail = str(exc) if isinstance(exc, MalformedUpdate) else "the body is not valid JSON"
        raise ApiError(400, "invalid_update", f"Not a Telegram update: {detail}.") from exc
    channel.spawn(update)
    return {"ok": True}

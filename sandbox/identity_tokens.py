"""The platform's half of the widget identity-token contract (docs/contracts.md): it signs who the
client is; the gateway checks it with the same shared secret.

A JWT, HS256, with `sub` = the client id, `iat`, `exp` (15 minutes later) and `aud` =
"wellbeing-widget". Kept here in a few lines of its own: the sandbox is another company's system
and imports nothing of ours.
"""
from __future__ import annotations

import datetime as dt

import jwt

AUDIENCE = "wellbeing-widget"
LIFETIME = dt.timedelta(minutes=15)


def sign_identity_token(client_id: str, secret: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    claims = {"sub": client_id, "iat": now, "exp": now + LIFETIME, "aud": AUDIENCE}
    return jwt.encode(claims, secret, algorithm="HS256")

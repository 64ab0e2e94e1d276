"""Short-lived identity tokens: the platform signs who the client is, the gateway checks it.

A JWT (HS256) with `sub` = client id, `iat`, `exp` and `aud` = "wellbeing-widget", signed with the
secret the platform and the gateway share (WIDGET_TOKEN_SECRET).
"""
from __future__ import annotations

import datetime as dt

import jwt

AUDIENCE = "wellbeing-widget"
DEFAULT_LIFETIME = dt.timedelta(minutes=15)


class InvalidIdentityToken(Exception):
    """The token is forged, expired, for another audience, or malformed."""


def issue_identity_token(client_id: str, secret: str, lifetime: dt.timedelta = DEFAULT_LIFETIME,
                         now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    claims = {"sub": client_id, "iat": now, "exp": now + lifetime, "aud": AUDIENCE}
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_identity_token(token: str, secret: str) -> str:
    """The client id the token vouches for; raises InvalidIdentityToken otherwise."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE,
                            options={"require": ["sub", "exp", "iat", "aud"]})
    except jwt.PyJWTError as exc:
        raise InvalidIdentityToken(str(exc)) from exc
    client_id = claims["sub"]
    if not isinstance(client_id, str) or not client_id:
        raise InvalidIdentityToken("token has no client id")
    return client_id

"""How our processes prove to each other who is calling (docs/contracts.md, "Who may call whom").

Plain Python (no Rasa), so the gateway and the action server use the same names and checks:

- the gateway → Rasa's REST channel: the header `X-Webhook-Secret: <RASA_WEBHOOK_SECRET>`
  (checked by rasa_addons/redacting_rest.py);
- Rasa → the action server: `Authorization: Bearer <ACTION_SERVER_TOKEN>` (endpoints.yml's
  action_endpoint headers; checked by actions/server.py);
- the gateway → Rasa's HTTP API: a JWT of a minute, signed with RASA_TOKEN (Rasa's own check).

Secrets are compared in constant time and never logged.
"""
from __future__ import annotations

import hmac

WEBHOOK_SECRET_HEADER = "X-Webhook-Secret"
MIN_SECRET_LENGTH = 32


def matches(expected: str, presented: str | None) -> bool:
    """Whether `presented` is the secret, compared in constant time (an empty one never is)."""
    if not expected or presented is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8", "replace"))


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header value, else None."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None

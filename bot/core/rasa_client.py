"""The gateway's client of Rasa: the REST channel (messages) and the HTTP API (resume, tracker).

    rasa = RasaClient("http://127.0.0.1:5005", api_secret, webhook_secret, timeout=20)
    answer = await rasa.send(conversation_id, "how many credits?", {"client_id": "c-ben", ...})
    answer.replies, answer.state   # Rasa's replies; what its NLU made of the message, if said
    await rasa.resume(conversation_id)
    await rasa.start_session(conversation_id, {"client_id": "c-ben", ...})   # a new identity
    tracker = await rasa.tracker(conversation_id)   # {"paused": bool, "events": [...], ...}

Only the gateway may call either (docs/contracts.md): a message carries the REST channel's
shared secret in a header (`X-Webhook-Secret`), and an HTTP API call a JWT of a minute signed
with Rasa's API secret (RASA_TOKEN) in `Authorization: Bearer`, never a token in the URL.

Every call has a timeout; any failure (refused, timeout, 5xx, a body that isn't what Rasa sends)
is a `RasaUnavailable`, whose message names the call and the exception class only.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import httpx
import jwt

from rasa_addons.internal_auth import WEBHOOK_SECRET_HEADER

CONNECT_TIMEOUT = 3.0
RESUME_EVENTS = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
API_TOKEN_LIFETIME = dt.timedelta(minutes=1)


def rasa_api_token(secret: str, now: dt.datetime | None = None,
                   lifetime: dt.timedelta = API_TOKEN_LIFETIME) -> str:
    """A short-lived JWT for Rasa's HTTP API (`rasa run --jwt-secret`): the admin role, which
    Rasa requires for another conversation's tracker."""
    now = now or dt.datetime.now(dt.UTC)
    claims = {"user": {"username": "gateway", "role": "admin"}, "iat": now,
              "exp": now + lifetime}
    return jwt.encode(claims, secret, algorithm="HS256")


# Our REST channel's answer says Rasa's state after the turn here (rasa_addons/turn_state.py).
TURN_STATE_HEADER = "X-Turn-State"


@dataclass(frozen=True)
class RasaAnswer:
    """Rasa's replies to a message, and its state after the turn when the answer said it (the
    shape of `latest()`, trimmed; None from a Rasa that doesn't say, or from its tracker)."""

    replies: list[dict[str, Any]]
    state: dict[str, Any] | None = None


class RasaApi(Protocol):
    """What the routing core asks of Rasa: `RasaClient` (one server) or `RasaReplicas`."""

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any],
                   wait: float | None = None) -> RasaAnswer: ...

    async def resume(self, conversation_id: str) -> None: ...

    async def start_session(self, conversation_id: str, slots: dict[str, Any]) -> None: ...

    async def tracker(self, conversation_id: str) -> dict[str, Any]: ...

    async def latest(self, conversation_id: str) -> dict[str, Any]: ...

    async def aclose(self) -> None: ...


class RasaError(Exception):
    """Any failure to get a usable answer from Rasa."""


class RasaUnavailable(RasaError):
    """Rasa can't be reached, took too long, or answered with an error.

    `in_doubt`: the request reached Rasa and no answer came back (a timeout, a dropped
    connection), so Rasa may still be handling it, or have handled it.
    """

    def __init__(self, message: str, in_doubt: bool = False) -> None:
        super().__init__(message)
        self.in_doubt = in_doubt


# Failures before the request reached Rasa: nothing can have happened there.
NEVER_ARRIVED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class RasaClient:
    def __init__(self, base_url: str, api_secret: str, webhook_secret: str, timeout: float,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._api_secret = api_secret
        self._webhook_secret = webhook_secret
        self._http = httpx.AsyncClient(
            base_url=self.base_url, transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            headers={"User-Agent": "wellbeing-hub-gateway"})

    def __repr__(self) -> str:
        return f"RasaClient(base_url={self.base_url!r})"

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any],
                   wait: float | None = None) -> RasaAnswer:
        """One user message through the REST channel; Rasa's replies (text, buttons, custom),
        and its state after the turn if the channel said it.

        `wait` (seconds) shortens the timeout for this one message.
        """
        extra: dict[str, Any] = {}
        if wait is not None:
            wait = min(wait, self.timeout)
            extra["timeout"] = httpx.Timeout(wait, connect=min(CONNECT_TIMEOUT, wait))
        response = await self._request("POST", "/webhooks/rest/webhook", "send",
                                       json={"sender": conversation_id, "message": text,
                                             "metadata": metadata},
                                       headers={WEBHOOK_SECRET_HEADER: self._webhook_secret},
                                       **extra)
        body = _json_of(response, "send")
        if not isinstance(body, list) or not all(isinstance(r, dict) for r in body):
            raise RasaUnavailable("send: unexpected body")
        return RasaAnswer(body, _turn_state(response))

    async def resume(self, conversation_id: str) -> None:
        """Appends `resume` and `action_listen`: Rasa predicts again for this conversation.

        The handoff action paused the conversation right after it ran, so the tracker never got
        the `action_listen` that normally ends a bot turn; without it, the next message is
        predicted as if it followed the handoff (Rasa's fallback, then the handoff again).
        """
        path = f"/conversations/{quote(conversation_id, safe='')}/tracker/events"
        await self._post(path, "resume", json=RESUME_EVENTS, headers=self._api_headers())

    async def start_session(self, conversation_id: str, slots: dict[str, Any]) -> None:
        """Starts a new session of the conversation with these slots: its identity changed (a
        chat account was linked or unlinked), so what the old identity had going (a form, its
        answers) ends, as `action_session_start` would have ended it.

        The events are given their own timestamps, in order: Rasa stamps an event without one
        when it reads the request, and its SQL tracker store reads a session back by timestamp
        from its latest `session_started`, so slots stamped before a session start Rasa adds
        itself (a conversation it never had) would be lost. Beginning with a session start, they
        are the session's own."""
        path = f"/conversations/{quote(conversation_id, safe='')}/tracker/events"
        events: list[dict[str, Any]] = [
            {"event": "action", "name": "action_session_start"}, {"event": "session_started"},
            *({"event": "slot", "name": name, "value": value} for name, value in slots.items()),
            {"event": "action", "name": "action_listen"}]
        start = time.time()
        for step, event in enumerate(events):
            event["timestamp"] = start + step * 1e-4
        await self._post(path, "start_session", json=events, headers=self._api_headers())

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's tracker as Rasa's HTTP API gives it: `paused`, and its `events`
        since the last restart (what happened in a turn whose answer the gateway never got)."""
        path = f"/conversations/{quote(conversation_id, safe='')}/tracker"
        body = await self._call("GET", path, "tracker", headers=self._api_headers())
        if not isinstance(body, dict) or not isinstance(body.get("events"), list):
            raise RasaUnavailable("tracker: unexpected body")
        return body

    async def latest(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's state without its events (`include_events=NONE`): the latest
        message with what the NLU made of it (`latest_message`), `active_loop`, `paused`. What
        the gateway asks after every turn: Rasa writes a few hundred bytes, not every event."""
        path = f"/conversations/{quote(conversation_id, safe='')}/tracker"
        body = await self._call("GET", path, "tracker", headers=self._api_headers(),
                                params={"include_events": "NONE"})
        if not isinstance(body, dict):
            raise RasaUnavailable("tracker: unexpected body")
        return body

    def _api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {rasa_api_token(self._api_secret)}"}

    async def _post(self, path: str, what: str, **kwargs: Any) -> Any:
        return await self._call("POST", path, what, **kwargs)

    async def _call(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        return _json_of(await self._request(method, path, what, **kwargs), what)

    async def _request(self, method: str, path: str, what: str,
                       **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"{what}: {type(exc).__name__}",
                                  in_doubt=not isinstance(exc, NEVER_ARRIVED)) from exc
        if response.status_code >= 400:
            raise RasaUnavailable(f"{what}: HTTP {response.status_code}")
        return response

    async def aclose(self) -> None:
        await self._http.aclose()


def _json_of(response: httpx.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise RasaUnavailable(f"{what}: not JSON") from exc


def _turn_state(response: httpx.Response) -> dict[str, Any] | None:
    """The state our channel said after the turn; None when it said nothing readable (the
    caller then reads the tracker)."""
    try:
        state = json.loads(response.headers.get(TURN_STATE_HEADER) or "null")
    except ValueError:
        return None
    return state if isinstance(state, dict) else None

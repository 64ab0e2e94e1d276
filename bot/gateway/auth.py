"""Console login: argon2 password hashes, server-side sessions, and the CSRF guard.

- The session cookie holds a random token (the table keeps its SHA-256): `HttpOnly`,
  `SameSite=Strict`, `Secure` when the gateway is served over https, path `/console`.
- State-changing console calls must carry `X-Requested-With: console`: a header a cross-site
  form can't send, and that cross-origin JavaScript can't send without a CORS preflight the
  console API never grants.
- A login attempt for an unknown e-mail still verifies a password, so timing tells nothing.
- Logins (and failed ones for a known agent) and logouts are audited.
- Roles: every agent has `role` "agent" or "lead" (agents.role); a route for leads only takes
  `LeadDep` (401 not logged in, 403 `leads_only` for an agent who isn't a lead).
- A live stream opened with a session ends when the session does: at once on logout (in this
  process), at its expiry, and within `SESSION_RECHECK_SECONDS` when it was ended elsewhere
  (another replica); `stream_guard(token)` gives the stream what it needs.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from bot.core.live_events import StreamGuard
from bot.gateway.errors import ApiError
from bot.store.agents import (
    agent_for_session,
    audit,
    end_expired_sessions,
    end_session,
    find_agent_by_email,
    is_lead,
    live_session,
    save_agent,
    start_session,
)
from bot.store.db import Database
from bot.store.models import ROLE_AGENT, ROLE_LEAD, Agent, now_utc, utc
from bot.store.tokens import hash_token

log = logging.getLogger("bot.gateway.auth")

COOKIE = "console_session"
COOKIE_PATH = "/console"
CSRF_HEADER = "x-requested-with"
CSRF_VALUE = "console"
SESSION_RECHECK_SECONDS = 15.0  # a stream notices a session ended on another replica this soon

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def seed_agent(session: Session, email: str, name: str, password: str,
               role: str = ROLE_AGENT) -> Agent:
    """Create the agent, or bring its name and password up to date (re-hashing only if the
    password changed). A role given by hand (`bot.cli set-role`) is kept; a lead seeded as a lead
    stays one."""
    existing = find_agent_by_email(session, email)
    if existing is not None:
        kept_role = ROLE_LEAD if role == ROLE_LEAD else existing.role
        if verify_password(existing.password_hash, password):
            existing.name, existing.role = name, kept_role
            return existing
        return save_agent(session, email, name, hash_password(password), kept_role)
    return save_agent(session, email, name, hash_password(password), role)


class ConsoleAuth:
    def __init__(self, db: Database, session_hours: float, secure_cookies: bool,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.db = db
        self.session_lifetime = timedelta(hours=session_hours)
        self.secure_cookies = secure_cookies
        self.clock = clock
        self._decoy_hash = hash_password("a password nobody has")
        self._logouts: dict[str, set[asyncio.Event]] = {}  # session token hash -> its streams

    def __repr__(self) -> str:
        return f"ConsoleAuth(session_lifetime={self.session_lifetime})"

    async def login(self, email: str, password: str) -> tuple[Agent, str] | None:
        """The agent and a new session token, or None for a wrong e-mail or password."""
        def work(session: Session) -> tuple[Agent, str] | None:
            agent = find_agent_by_email(session, email)
            if agent is None:
                verify_password(self._decoy_hash, password)
                return None
            if not verify_password(agent.password_hash, password):
                audit(session, agent.id, "login_failed")
                return None
            end_expired_sessions(session, self.clock())
            token = start_session(session, agent, self.clock() + self.session_lifetime)
            audit(session, agent.id, "login")
            return agent, token

        result = await self.db.run(work)
        log.info("console login %s", "succeeded" if result else "refused")
        return result

    async def agent(self, token: str) -> Agent | None:
        return await self.db.run(lambda session: agent_for_session(session, token, self.clock()))

    async def logout(self, token: str, agent_id: str) -> None:
        def work(session: Session) -> None:
            end_session(session, token)
            audit(session, agent_id, "logout")

        await self.db.run(work)
        for stop in self._logouts.pop(hash_token(token), set()):
            stop.set()  # this session's live streams end now

    async def seconds_left(self, token: str) -> float | None:
        """Seconds until the session of `token` expires; None if it is over (or never was)."""
        def work(session: Session) -> float | None:
            now = self.clock()
            found = live_session(session, token, now)
            expires_at = utc(found.expires_at) if found is not None else None
            return None if expires_at is None else (expires_at - now).total_seconds()

        return await self.db.run(work)

    def stream_guard(self, token: str, seconds_left: float) -> tuple[StreamGuard, asyncio.Event]:
        """What ends a stream of this session: a logout here (the event returned, to be passed
        to `stream_ended` when the stream is over), its expiry, or its end on another replica."""
        stop = asyncio.Event()
        self._logouts.setdefault(hash_token(token), set()).add(stop)

        async def recheck() -> float | None:
            left = await self.seconds_left(token)
            return None if left is None or left <= 0 else min(left, SESSION_RECHECK_SECONDS)

        return StreamGuard(recheck, min(seconds_left, SESSION_RECHECK_SECONDS), stop), stop

    def stream_ended(self, token: str, stop: asyncio.Event) -> None:
        streams = self._logouts.get(hash_token(token))
        if streams is not None:
            streams.discard(stop)
            if not streams:
                del self._logouts[hash_token(token)]


def _auth(request: Request) -> ConsoleAuth:
    return request.app.state.services.auth


async def current_agent(request: Request) -> Agent:
    """The logged-in agent, or 401."""
    token = request.cookies.get(COOKIE)
    agent = await _auth(request).agent(token) if token else None
    if agent is None:
        raise ApiError(401, "not_logged_in", "Log in to the console first.")
    return agent


async def current_lead(request: Request) -> Agent:
    """The logged-in agent if they have the `lead` role: 401 when not logged in, else 403."""
    agent = await current_agent(request)
    if not is_lead(agent):
        raise ApiError(403, "leads_only", "Only a team lead can see this.")
    return agent


def console_header(request: Request) -> None:
    """State-changing console calls must say they come from the console (CSRF guard)."""
    value = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(value.encode(), CSRF_VALUE.encode()):
        raise ApiError(403, "missing_console_header",
                       f"Send the header 'X-Requested-With: {CSRF_VALUE}' with this request.")


AgentDep = Annotated[Agent, Depends(current_agent)]
LeadDep = Annotated[Agent, Depends(current_lead)]  # the team's report, the review queue
ConsoleHeader = Depends(console_header)

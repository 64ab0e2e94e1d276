"""Data functions for agents, their console sessions, and the audit log. None commits."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.store.models import (
    ROLE_AGENT,
    ROLE_LEAD,
    Agent,
    AgentSession,
    AuditEvent,
    Conversation,
    now_utc,
    utc,
)
from bot.store.tokens import hash_token, new_token


def is_lead(agent: Agent) -> bool:
    """May this agent use the lead's pages (the team's report, the review queue)? The one place
    that says so."""
    return agent.role == ROLE_LEAD


def set_role(session: Session, email: str, role: str) -> Agent | None:
    """Make the agent with this e-mail a "lead" or a plain "agent"; None if there is none."""
    agent = find_agent_by_email(session, email)
    if agent is not None:
        agent.role = role
    return agent


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_agent_by_email(session: Session, email: str) -> Agent | None:
    return session.scalars(
        select(Agent).where(Agent.email == normalise_email(email))
    ).one_or_none()


def save_agent(session: Session, email: str, name: str, password_hash: str,
               role: str = ROLE_AGENT) -> Agent:
    """Create the agent, or update the name, password hash and role of the one with that
    e-mail."""
    agent = find_agent_by_email(session, email)
    if agent is None:
        agent = Agent(email=normalise_email(email), name=name, password_hash=password_hash,
                      role=role)
        session.add(agent)
    else:
        agent.name, agent.password_hash, agent.role = name, password_hash, role
    session.flush()
    return agent


def start_session(session: Session, agent: Agent, expires_at: datetime) -> str:
    """A new console session; returns its token (the cookie value; only the hash is stored)."""
    stop_following(session, agent.id)  # a new console has nothing open
    token = new_token()
    session.add(AgentSession(agent_id=agent.id, token_hash=hash_token(token),
                             expires_at=expires_at))
    session.flush()
    return token


def live_session(session: Session, token: str, now: datetime) -> AgentSession | None:
    """The session of this token, if it exists and has not expired."""
    found = session.scalars(
        select(AgentSession).where(AgentSession.token_hash == hash_token(token))
    ).one_or_none()
    expires_at = utc(found.expires_at) if found is not None else None
    if found is None or expires_at is None or expires_at <= now:
        return None
    return found


def agent_for_session(session: Session, token: str, now: datetime) -> Agent | None:
    """The agent logged in with this token, if the session exists and has not expired."""
    found = live_session(session, token, now)
    return found.agent if found is not None else None


def end_session(session: Session, token: str) -> None:
    ended = session.scalars(
        select(AgentSession).where(AgentSession.token_hash == hash_token(token))).one_or_none()
    if ended is not None:
        stop_following(session, ended.agent_id)
    session.execute(delete(AgentSession).where(AgentSession.token_hash == hash_token(token)))


def stop_following(session: Session, agent_id: str) -> None:
    """The agent no longer follows the conversations they handed back (their console closed)."""
    session.execute(update(Conversation).where(Conversation.watching_agent_id == agent_id)
                    .values(watching_agent_id=None).execution_options(synchronize_session=False))


def end_expired_sessions(session: Session, now: datetime) -> None:
    session.execute(delete(AgentSession).where(AgentSession.expires_at <= now))


def audit(session: Session, agent_id: str | None, action: str,
          conversation_id: str | None = None, detail: str | None = None) -> AuditEvent:
    """Record who did what (ids and short codes only: never message text)."""
    event = AuditEvent(agent_id=agent_id, action=action, conversation_id=conversation_id,
                       detail=detail[:200] if detail else None, at=now_utc())
    session.add(event)
    session.flush()
    return event

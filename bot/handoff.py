"""The handoff lifecycle: to the team (waiting), claimed (agent), and back (bot) or closed.

`begin_handoff` is a step inside the routing core's units of work. `Desk` is what an agent does
from the console: look at the queue and a conversation, claim, reply, note, resolve, hand back.
Every agent action writes an audit row in the same transaction as the change itself, and each
state change adds an activity line to the transcript. The core knows no HTTP: refusals are
`Refused` exceptions with a code, which the console API turns into statuses.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import texts
from bot.changes import TEAM_MODES, Changes, Writer
from envsettings.support_hours import SupportHours
from envsettings.support_hours import describe, is_open
from bot.present import conversation_detail_json, message_json, queue_item_json
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.store import conversations as store
from bot.store.agents import audit
from bot.store.models import Agent, Conversation, Kind, Mode, Priority, Sender, now_utc

log = logging.getLogger("bot.handoff")

REASONS = ("requested", "safety", "not_understood", "platform_unavailable")


@dataclass(frozen=True)
class HandoffRequest:
    """Why the conversation goes to a person, and how urgently."""

    reason: str
    priority: Priority

    @classmethod
    def from_payload(cls, raw: Any) -> HandoffRequest:
        """From an action's `{"handoff": {"reason", "priority"}}`; unknown values become safe ones.

        A safety handoff is always urgent, whatever the payload says.
        """
        raw = raw if isinstance(raw, dict) else {}
        reason = raw.get("reason") if raw.get("reason") in REASONS else "requested"
        try:
            priority = Priority(raw.get("priority"))
        except ValueError:
            priority = Priority.NORMAL
        if reason == "safety":
            priority = Priority.URGENT
        return cls(reason, priority)


def begin_handoff(session: Session, changes: Changes, conversation: Conversation,
                  request: HandoffRequest, now: datetime, hours: SupportHours) -> bool:
    """Queue the conversation for the team and tell the client what happens next.

    Mode, reason, priority, waiting time, the activity line and the client's message all change
    together, in the caller's transaction. False if the team has it already.
    """
    if conversation.mode in TEAM_MODES:
        return False
    changes.track(conversation)
    store.set_waiting(session, conversation, request.reason, request.priority, now)
    changes.message(conversation, store.add_message(
        session, conversation, Sender.SYSTEM, kind=Kind.ACTIVITY,
        text=texts.ACTIVITY_HANDOFF.format(reason=request.reason,
                                           priority=request.priority.value)))
    if is_open(hours, now):
        text = texts.queued(store.queue_position(session, conversation))
    else:
        text = texts.out_of_hours(describe(hours))
    changes.message(conversation, store.add_message(session, conversation, Sender.SYSTEM, text))
    log.info("conversation %s: handed to the team (%s, %s)", conversation.id, request.reason,
             request.priority.value)
    return True


class Refused(Exception):
    """An agent action that can't be done; `code` is stable, `message` is for the agent."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code, self.message = code, message


class NotFound(Refused):
    pass


class NotAllowed(Refused):
    pass


class Conflict(Refused):
    pass


class Desk:
    """The console's operations, for one logged-in agent at a time (passed in)."""

    def __init__(self, writer: Writer, rasa: RasaClient,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.writer = writer
        self.rasa = rasa
        self.clock = clock

    def __repr__(self) -> str:
        return f"Desk(writer={self.writer!r})"

    async def queue(self, agent_id: str) -> list[dict[str, Any]]:
        def work(session: Session) -> list[dict[str, Any]]:
            lines = store.queue(session, agent_id)
            last = store.last_client_texts(session, [c.id for c in lines])
            return [queue_item_json(c, last.get(c.id)) for c in lines]

        return await self.writer.db.run(work)

    async def conversation(self, agent_id: str, conversation_id: str) -> dict[str, Any]:
        """The whole transcript (notes and activity too) of a conversation the agent may see."""
        def work(session: Session) -> dict[str, Any]:
            conversation = _visible(session, agent_id, conversation_id)
            messages = store.messages_after(session, conversation.id, client_visible_only=False,
                                            limit=10_000)
            return conversation_detail_json(conversation, messages)

        return await self.writer.db.run(work)

    async def client_of(self, agent_id: str, conversation_id: str) -> str | None:
        """The verified client id of a conversation the agent may see (None: signed out)."""
        def work(session: Session) -> str | None:
            conversation = _visible(session, agent_id, conversation_id)
            audit(session, agent_id, "view_context", conversation.id)
            return conversation.client_id

        return await self.writer.db.run(work)

    async def claim(self, agent: Agent, conversation_id: str) -> dict[str, Any]:
        def work(session: Session, changes: Changes) -> dict[str, Any]:
            conversation = _get(session, conversation_id)
            changes.track(conversation)
            if not store.claim(session, conversation.id, agent.id):
                session.refresh(conversation)
                if conversation.assignee_agent_id == agent.id:
                    return queue_item_json(conversation)  # a repeated click: already yours
                if conversation.assignee_agent_id is not None:
                    raise Conflict("already_claimed", "Another agent has already claimed this "
                                                      "conversation.")
                raise Conflict("not_waiting", "This conversation is not waiting for the team.")
            self._activity(session, changes, conversation,
                           texts.ACTIVITY_CLAIMED.format(agent=agent.name))
            changes.message(conversation, store.add_message(
                session, conversation, Sender.SYSTEM, texts.agent_joined(agent.name)))
            audit(session, agent.id, "claim", conversation.id)
            return queue_item_json(conversation)

        return await self.writer(conversation_id, work)

    async def reply(self, agent: Agent, conversation_id: str, text: str) -> dict[str, Any]:
        def work(session: Session, changes: Changes) -> dict[str, Any]:
            conversation = _owned(session, agent.id, conversation_id)
            message = store.add_message(session, conversation, Sender.AGENT, text,
                                        agent_id=agent.id)
            changes.message(conversation, message)
            audit(session, agent.id, "reply", conversation.id, detail=f"message {message.id}")
            return message_json(message, for_console=True)

        return await self.writer(conversation_id, work)

    async def note(self, agent: Agent, conversation_id: str, text: str) -> dict[str, Any]:
        def work(session: Session, changes: Changes) -> dict[str, Any]:
            conversation = _owned(session, agent.id, conversation_id)
            message = store.add_message(session, conversation, Sender.AGENT, text,
                                        kind=Kind.NOTE, agent_id=agent.id)
            changes.message(conversation, message)
            audit(session, agent.id, "note", conversation.id, detail=f"message {message.id}")
            return message_json(message, for_console=True)

        return await self.writer(conversation_id, work)

    async def resolve(self, agent: Agent, conversation_id: str) -> dict[str, Any]:
        def work(session: Session, changes: Changes) -> dict[str, Any]:
            conversation = _owned(session, agent.id, conversation_id)
            changes.track(conversation)
            store.release(session, conversation, Mode.RESOLVED)
            self._activity(session, changes, conversation,
                           texts.ACTIVITY_RESOLVED.format(agent=agent.name))
            changes.message(conversation, store.add_message(
                session, conversation, Sender.SYSTEM, texts.RESOLVED))
            audit(session, agent.id, "resolve", conversation.id)
            return queue_item_json(conversation)

        return await self.writer(conversation_id, work)

    async def handback(self, agent: Agent, conversation_id: str) -> dict[str, Any]:
        """Resume Rasa for the conversation, then give it back to the bot and tell the client."""
        await self.writer.db.run(lambda session: _owned(session, agent.id, conversation_id))
        try:
            await self.rasa.resume(conversation_id)
        except RasaUnavailable as exc:
            log.warning("conversation %s: resume failed (%s)", conversation_id, exc)
            raise Conflict("assistant_unavailable", "The assistant can't be reached right now, "
                                                    "so the conversation stays with you. Try "
                                                    "again in a moment.") from exc

        def work(session: Session, changes: Changes) -> dict[str, Any]:
            conversation = _owned(session, agent.id, conversation_id)
            changes.track(conversation)
            store.release(session, conversation, Mode.BOT)
            conversation.rasa_paused = False
            self._activity(session, changes, conversation,
                           texts.ACTIVITY_HANDBACK.format(agent=agent.name))
            changes.message(conversation, store.add_message(
                session, conversation, Sender.SYSTEM, texts.BACK_WITH_BOT))
            audit(session, agent.id, "handback", conversation.id)
            return queue_item_json(conversation)

        return await self.writer(conversation_id, work)

    @staticmethod
    def _activity(session: Session, changes: Changes, conversation: Conversation,
                  text: str) -> None:
        changes.message(conversation, store.add_message(session, conversation, Sender.SYSTEM,
                                                        text, kind=Kind.ACTIVITY))


def _get(session: Session, conversation_id: str) -> Conversation:
    conversation = store.get_conversation(session, conversation_id)
    if conversation is None:
        raise NotFound("conversation_not_found", "No such conversation.")
    return conversation


def _visible(session: Session, agent_id: str, conversation_id: str) -> Conversation:
    """A conversation waiting for the team or owned by this agent; others are none of theirs."""
    conversation = _get(session, conversation_id)
    if conversation.mode == Mode.WAITING or conversation.assignee_agent_id == agent_id:
        return conversation
    if conversation.mode == Mode.AGENT:
        raise NotAllowed("not_yours", "Another agent has this conversation.")
    raise NotAllowed("not_with_the_team", "This conversation is not with the team.")


def _owned(session: Session, agent_id: str, conversation_id: str) -> Conversation:
    """A conversation this agent has claimed (and not yet resolved or handed back)."""
    conversation = _get(session, conversation_id)
    if conversation.mode == Mode.AGENT and conversation.assignee_agent_id == agent_id:
        return conversation
    if conversation.mode == Mode.WAITING:
        raise Conflict("not_claimed", "Claim this conversation first.")
    if conversation.mode == Mode.AGENT:
        raise NotAllowed("not_yours", "Another agent has this conversation.")
    raise Conflict("not_with_the_team", "This conversation is not with the team any more.")

"""What an agent does from the console: look at the queue and a conversation, claim, reply, note,
resolve, hand back.

Each act asks the handoff state machine (handoff_states.py) first, so what may happen in which
mode is decided in one table; a refusal is `Refused` with a stable code, which the console API
turns into a status. Every act, and every read of a transcript (`view_transcript`) or of the
client's account (`view_context`, only once claimed), writes an audit row (ids and short codes,
never message text) in the same transaction as the act itself. Knows no HTTP.
"""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import anyio
from sqlalchemy.orm import Session

from bot.core.handoff_states import (
    NO_SUCH_CONVERSATION,
    Context,
    RefusalKind,
    Refused,
    Trigger,
    apply,
    decide,
)
from bot.core.handover_summary import summarise
from bot.core.live_events import CONSOLE, Event, StreamGuard
from bot.core.present import conversation_detail_json, message_json, queue_item_json
from bot.core.rasa_client import RasaApi, RasaUnavailable
from bot.core.unit_of_work import ChangeSet, UnitOfWork
from bot.store import conversations as store
from bot.store import history
from bot.store.agents import audit
from bot.store.models import Agent, Conversation, Kind, Sender, now_utc

log = logging.getLogger("bot.core.agent_desk")
NAMES_WAIT = 2.0  # seconds the queue waits for clients' names from the platform

# A client id → their name on the platform (None: unknown, or the platform can't say now).
ClientNames = Callable[[str], Awaitable[str | None]]


class AgentDesk:
    """The console's operations; the logged-in agent is passed to each."""

    def __init__(self, unit_of_work: UnitOfWork, rasa: RasaApi,
                 clock: Callable[[], datetime] = now_utc,
                 names: ClientNames | None = None) -> None:
        self.unit_of_work = unit_of_work
        self.rasa = rasa
        self.clock = clock
        self.names = names

    def __repr__(self) -> str:
        return f"AgentDesk(unit_of_work={self.unit_of_work!r})"

    async def queue(self, agent: Agent) -> list[dict[str, Any]]:
        """Waiting conversations (priority, then waiting time), then the agent's own; a signed-in
        client's name is learnt from the platform the first time the team sees them."""
        await self.name_clients(lambda session: store.queue(session, agent.id))

        def work(session: Session) -> list[dict[str, Any]]:
            lines = store.queue(session, agent.id)
            last = store.last_client_texts(session, [c.id for c in lines])
            return [queue_item_json(c, last.get(c.id)) for c in lines]

        return await self.unit_of_work.db.run(work)

    async def name_clients(self, find: Callable[[Session], list[Conversation]]) -> None:
        """Record the platform's name of each signed-in client among `find`'s conversations that
        has none yet (widget conversations carry only the client's id)."""
        if self.names is None:
            return
        unnamed = await self.unit_of_work.db.run(
            lambda session: history.unnamed_clients(session, find(session)))
        found: dict[str, str] = {}
        names = self.names

        async def look_up(conversation_id: str, client_id: str) -> None:
            name = await names(client_id)
            if name:
                found[conversation_id] = name

        # At once, and not longer than NAMES_WAIT: a slow platform never holds the queue up (the
        # names it didn't give in time are asked for the next time the queue is shown).
        with anyio.move_on_after(NAMES_WAIT):
            async with anyio.create_task_group() as group:
                for conversation_id, client_id in unnamed.items():
                    group.start_soon(look_up, conversation_id, client_id)
        if found:
            await self.unit_of_work.db.run(
                lambda session: history.record_client_names(session, found))

    async def conversation(self, agent: Agent, conversation_id: str) -> dict[str, Any]:
        """The whole transcript (notes and activity too) of a conversation the agent may see;
        the read is audited."""
        def work(session: Session) -> dict[str, Any]:
            conversation = _allowed(session, conversation_id, Trigger.VIEW, agent)
            messages = store.messages_after(session, conversation.id, client_visible_only=False,
                                            limit=10_000)
            audit(session, agent.id, "view_transcript", conversation.id)
            return {**conversation_detail_json(conversation, messages),
                    "summary": summarise(conversation, messages)}

        return await self.unit_of_work.db.run(work)

    async def client_of(self, agent: Agent, conversation_id: str) -> str | None:
        """The verified client id of the agent's own conversation (None: signed out), to read
        their account with; the read is audited. Before a claim: `claim_to_see_account`."""
        def work(session: Session) -> str | None:
            conversation = _allowed(session, conversation_id, Trigger.VIEW_ACCOUNT, agent)
            audit(session, agent.id, "view_context", conversation.id)
            return conversation.client_id

        return await self.unit_of_work.db.run(work)

    async def claim(self, agent: Agent, conversation_id: str) -> dict[str, Any]:
        def work(session: Session, changes: ChangeSet) -> dict[str, Any]:
            conversation = _get(session, conversation_id)
            if apply(session, changes, conversation, Trigger.CLAIM, self._by(agent)):
                audit(session, agent.id, "claim", conversation.id)
            return queue_item_json(conversation)  # a repeated click: already yours

        return await self.unit_of_work(conversation_id, work)

    async def reply(self, agent: Agent, conversation_id: str, text: str) -> dict[str, Any]:
        return await self._write(agent, conversation_id, text, Kind.TEXT, "reply")

    async def note(self, agent: Agent, conversation_id: str, text: str) -> dict[str, Any]:
        return await self._write(agent, conversation_id, text, Kind.NOTE, "note")

    async def resolve(self, agent: Agent, conversation_id: str) -> dict[str, Any]:
        return await self._move(agent, conversation_id, Trigger.RESOLVE, "resolve")

    async def handback(self, agent: Agent, conversation_id: str) -> dict[str, Any]:
        """Resume Rasa for the conversation, then give it back to the bot and tell the client."""
        await self.unit_of_work.db.run(
            lambda session: _allowed(session, conversation_id, Trigger.HAND_BACK, agent))
        try:
            await self.rasa.resume(conversation_id)
        except RasaUnavailable as exc:
            log.warning("conversation %s: resume failed (%s)", conversation_id, exc)
            raise Refused(RefusalKind.CONFLICT, "assistant_unavailable",
                          "The assistant can't be reached right now, so the conversation stays "
                          "with you. Try again in a moment.") from exc
        return await self._move(agent, conversation_id, Trigger.HAND_BACK, "handback")

    async def stop_watching(self, agent: Agent, conversation_id: str) -> dict[str, bool]:
        """The agent closed the view of a conversation they handed back: its turns no longer
        reach their console."""
        def work(session: Session) -> dict[str, bool]:
            conversation = _get(session, conversation_id)
            if conversation.watching_agent_id == agent.id:
                conversation.watching_agent_id = None
            return {"watching": False}

        return await self.unit_of_work.db.run(work)

    async def events(self, agent: Agent, guard: StreamGuard | None = None) -> AsyncIterator[Event]:
        """The console's live stream for this agent: queue lines (`conversation`) always;
        messages (`message`) of conversations waiting for the team or claimed by this agent, and
        of those they handed back and still follow; until `guard` ends it (the agent's session is
        over)."""
        hub = self.unit_of_work.hub
        subscription = hub.subscribe(CONSOLE, guard)
        try:
            async for event in subscription.events():
                if event.name == "message" and not (
                        event.data["mode"] == "waiting"
                        or event.data["assignee_agent_id"] == agent.id
                        or (event.data["mode"] == "bot"
                            and event.data.get("watching_agent_id") == agent.id)):
                    continue
                yield event
        finally:
            hub.unsubscribe(subscription)

    async def _write(self, agent: Agent, conversation_id: str, text: str, kind: Kind,
                     act: str) -> dict[str, Any]:
        def work(session: Session, changes: ChangeSet) -> dict[str, Any]:
            conversation = _allowed(session, conversation_id, Trigger.REPLY, agent)
            message = store.add_message(session, conversation, Sender.AGENT, text, kind=kind,
                                        agent_id=agent.id)
            changes.message(conversation, message)
            audit(session, agent.id, act, conversation.id, detail=f"message {message.id}")
            return message_json(message, for_console=True)

        return await self.unit_of_work(conversation_id, work)

    async def _move(self, agent: Agent, conversation_id: str, trigger: Trigger,
                    act: str) -> dict[str, Any]:
        def work(session: Session, changes: ChangeSet) -> dict[str, Any]:
            conversation = _get(session, conversation_id)
            apply(session, changes, conversation, trigger, self._by(agent))
            if trigger == Trigger.HAND_BACK:  # what the client sees next reaches this agent live
                conversation.watching_agent_id = agent.id
            audit(session, agent.id, act, conversation.id)
            return queue_item_json(conversation)

        return await self.unit_of_work(conversation_id, work)

    def _by(self, agent: Agent) -> Context:
        return Context(self.clock(), actor=agent)


def _get(session: Session, conversation_id: str) -> Conversation:
    conversation = store.get_conversation(session, conversation_id)
    if conversation is None:
        raise Refused.of(NO_SUCH_CONVERSATION)
    return conversation


def _allowed(session: Session, conversation_id: str, trigger: Trigger,
             agent: Agent) -> Conversation:
    """The conversation, if the state machine lets this agent do `trigger` to it now."""
    conversation = _get(session, conversation_id)
    decide(conversation, trigger, agent)
    return conversation

"""The routing core: a client's message is stored first, then goes where the conversation is.

    router = Router(writer, rasa, hours)
    message, fresh = await router.accept(conversation_id, Incoming(text="hi"))
    if fresh:
        router.submit(conversation_id, message["id"])   # the turn runs in the background

By mode, after the message is stored and committed:
- bot: to Rasa (typing on meanwhile). Replies are stored and published; an action's
  `{"handoff": {...}}` payload is never shown: it queues the conversation for the team. Rasa
  down: the honest "I can't answer right now" with a *Talk to a person* button; pressing it
  (any `/request_human`) while Rasa is down hands the conversation over from here.
- waiting: for the console only; out of the team's hours an e-mail address in the message is
  kept as the address to answer at.
- agent: for the console only. Rasa is not called in either of these modes.
- resolved: the message reopens the conversation with the bot.
Turns of one conversation run one at a time, in order. Knows no HTTP framework.
"""
from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import texts
from bot.changes import Changes, Writer
from envsettings.support_hours import SupportHours
from bot.events import Event, conversation_channel
from bot.handoff import HandoffRequest, begin_handoff
from envsettings.support_hours import is_open
from bot.present import message_json
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.store import conversations as store
from bot.store.models import Conversation, Kind, Mode, Priority, Sender, now_utc
from rasa_addons.card_numbers import redact_card_numbers

log = logging.getLogger("bot.routing")

CARD_NUMBER_INTENT = "/card_number_shared"  # what Rasa's own guard turns such a message into
EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}"
                   r"(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}")
LOCALE = "en"
SHUTDOWN_GRACE = 5.0


@dataclass(frozen=True)
class Incoming:
    """A client's message: typed text, or a pressed button (payload and its title)."""

    text: str | None = None
    payload: str | None = None
    title: str | None = None
    client_message_id: str | None = None


@dataclass(frozen=True)
class Turn:
    """What a turn needs to know, read from the store when it starts."""

    conversation_id: str
    mode: Mode
    client_id: str | None
    channel: str
    rasa_paused: bool
    kind: Kind
    text: str
    payload: str | None

    @property
    def for_rasa(self) -> str:
        if self.payload:
            return self.payload
        return CARD_NUMBER_INTENT if texts.CARD_NUMBER_REMOVED in self.text else self.text

    @property
    def asks_for_a_person(self) -> bool:
        return self.for_rasa.strip().startswith(texts.REQUEST_HUMAN)


@dataclass(frozen=True)
class Started:
    conversation_id: str
    conversation_key: str
    signed_in: bool
    mode: str
    resumed: bool


class Router:
    def __init__(self, writer: Writer, rasa: RasaClient, hours: SupportHours,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.writer = writer
        self.rasa = rasa
        self.hours = hours
        self.clock = clock
        self._turn_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary())
        self._tasks: set[asyncio.Task] = set()

    def __repr__(self) -> str:
        return f"Router(rasa={self.rasa!r})"

    # -- conversations ---------------------------------------------------------------------

    async def start(self, client_id: str | None, key: str | None,
                    channel: str = "widget") -> Started:
        """Resume the conversation of `key` if it has the same identity, else start a new one."""
        def work(session: Session) -> Started:
            found = store.find_by_key(session, key) if key else None
            if found is not None and found.client_id == client_id:
                return Started(found.id, key, client_id is not None, found.mode.value, True)
            conversation, new_key = store.create_conversation(session, channel, client_id)
            return Started(conversation.id, new_key, client_id is not None,
                           conversation.mode.value, False)

        started = await self.writer.db.run(work)
        if not started.resumed:
            log.info("conversation %s: started (%s, %s)", started.conversation_id, channel,
                     "signed in" if started.signed_in else "signed out")
        return started

    async def conversation_for_key(self, key: str) -> str | None:
        def work(session: Session) -> str | None:
            found = store.find_by_key(session, key)
            return found.id if found else None

        return await self.writer.db.run(work)

    async def history(self, conversation_id: str, after: int = 0) -> list[dict[str, Any]]:
        """What the client may see, oldest first (no notes, no internal activity)."""
        return await self.writer.db.run(lambda session: [
            message_json(m) for m in store.messages_after(session, conversation_id, after)])

    async def events(self, conversation_id: str, after: int | None) -> AsyncIterator[Event]:
        """The widget's stream: the mode, what was missed after `after` (a seq) from the store,
        then live events.

        Subscribes before reading the store, so nothing falls between the two; a message both
        replayed and published is sent once.
        """
        def read(session: Session) -> tuple[str, list[dict[str, Any]]]:
            conversation = store.get_conversation(session, conversation_id)
            if conversation is None:
                raise LookupError(conversation_id)
            missed = ([] if after is None else
                      [message_json(m) for m in store.messages_after(session, conversation_id,
                                                                     after)])
            return conversation.mode.value, missed

        subscription = self.writer.hub.subscribe(conversation_channel(conversation_id))
        try:
            mode, missed = await self.writer.db.run(read)
            yield Event("mode", {"mode": mode})
            replayed = {str(message["seq"]) for message in missed}
            for message in missed:
                yield Event("message", message, id=str(message["seq"]))
            async for event in subscription.events():
                if event.id is not None and event.id in replayed:
                    continue
                yield event
        finally:
            self.writer.hub.unsubscribe(subscription)

    # -- a client's message ------------------------------------------------------------------

    async def accept(self, conversation_id: str, incoming: Incoming) -> tuple[dict[str, Any], bool]:
        """Store the message (committed before anything else happens); False if a repeat."""
        def work(session: Session, changes: Changes) -> tuple[dict[str, Any], bool]:
            conversation = store.get_conversation(session, conversation_id)
            if conversation is None:
                raise LookupError(conversation_id)
            if incoming.client_message_id:
                earlier = store.find_client_message(session, conversation_id,
                                                    incoming.client_message_id)
                if earlier is not None:
                    return message_json(earlier), False
            changes.track(conversation)
            if conversation.mode == Mode.RESOLVED:
                store.release(session, conversation, Mode.BOT)
                changes.message(conversation, store.add_message(
                    session, conversation, Sender.SYSTEM, texts.ACTIVITY_REOPENED,
                    kind=Kind.ACTIVITY))
            if incoming.payload is not None:
                message = store.add_message(
                    session, conversation, Sender.CLIENT, incoming.title or incoming.payload,
                    kind=Kind.BUTTON_CLICK, payload=incoming.payload,
                    client_message_id=incoming.client_message_id)
            else:
                text = redact_card_numbers(incoming.text or "", texts.CARD_NUMBER_REMOVED)
                message = store.add_message(session, conversation, Sender.CLIENT, text,
                                            client_message_id=incoming.client_message_id)
            changes.message(conversation, message)
            return message_json(message), True

        try:
            return await self.writer(conversation_id, work)
        except IntegrityError:  # the same client_message_id, committed by another replica
            if not incoming.client_message_id:
                raise
            cid = incoming.client_message_id

            def earlier(session: Session) -> dict[str, Any]:
                found = store.find_client_message(session, conversation_id, cid)
                if found is None:
                    raise LookupError(cid)
                return message_json(found)

            return await self.writer.db.run(earlier), False

    def submit(self, conversation_id: str, message_id: str) -> None:
        """Run the message's turn in the background (one turn per conversation at a time)."""
        task = asyncio.create_task(self._turn(conversation_id, message_id),
                                   name=f"turn-{conversation_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _turn(self, conversation_id: str, message_id: str) -> None:
        lock = self._turn_locks.get(conversation_id)
        if lock is None:
            lock = self._turn_locks[conversation_id] = asyncio.Lock()
        async with lock:
            try:
                await self.take_turn(conversation_id, message_id)
            except Exception as exc:  # noqa: BLE001 - a background task: log it, never lose it
                log.error("conversation %s: turn failed (%s)", conversation_id,
                          type(exc).__name__)

    async def take_turn(self, conversation_id: str, message_id: str) -> None:
        turn = await self.writer.db.run(lambda session: _read_turn(session, conversation_id,
                                                                   message_id))
        if turn.mode == Mode.BOT:
            await self._ask_the_bot(turn)
        elif turn.mode == Mode.WAITING and turn.kind == Kind.TEXT:
            await self._note_contact_email(turn)

    async def _ask_the_bot(self, turn: Turn) -> None:
        hub, channel = self.writer.hub, conversation_channel(turn.conversation_id)
        hub.publish(channel, Event("typing", {"on": True}))
        try:
            try:
                if turn.rasa_paused:
                    await self.rasa.resume(turn.conversation_id)
                    await self.writer(turn.conversation_id, _mark_resumed(turn.conversation_id))
                metadata = {"client_id": turn.client_id, "channel": turn.channel,
                            "locale": LOCALE, "live_handoff": True}
                replies = await self.rasa.send(turn.conversation_id, turn.for_rasa, metadata)
            except RasaUnavailable as exc:
                log.warning("conversation %s: assistant unavailable (%s)", turn.conversation_id,
                            exc)
                await self.writer(turn.conversation_id, self._without_the_bot(turn))
                return
            await self.writer(turn.conversation_id,
                              self._store_replies(turn.conversation_id, replies))
        finally:
            hub.publish(channel, Event("typing", {"on": False}))

    def _store_replies(self, conversation_id: str,
                       replies: list[dict[str, Any]]) -> Callable[[Session, Changes], None]:
        def work(session: Session, changes: Changes) -> None:
            conversation = _tracked(session, changes, conversation_id)
            handoff = None
            for reply in replies:
                custom = reply.get("custom")
                if isinstance(custom, dict) and "handoff" in custom:
                    handoff = HandoffRequest.from_payload(custom["handoff"])
                    continue  # never shown to the client
                text, buttons = _text_and_buttons(reply)
                if text or buttons:
                    changes.message(conversation, store.add_message(
                        session, conversation, Sender.BOT, text, buttons=buttons))
            if handoff is not None:
                conversation.rasa_paused = True  # the action paused Rasa (ConversationPaused)
                begin_handoff(session, changes, conversation, handoff, self.clock(), self.hours)

        return work

    def _without_the_bot(self, turn: Turn) -> Callable[[Session, Changes], None]:
        """Rasa is down: the honest answer, or (a person was asked for) the handoff itself."""
        def work(session: Session, changes: Changes) -> None:
            conversation = _tracked(session, changes, turn.conversation_id)
            if turn.asks_for_a_person:
                begin_handoff(session, changes, conversation,
                              HandoffRequest("platform_unavailable", Priority.HIGH),
                              self.clock(), self.hours)
                return
            changes.message(conversation, store.add_message(
                session, conversation, Sender.BOT, texts.CANT_ANSWER,
                buttons=[texts.HUMAN_BUTTON]))

        return work

    async def _note_contact_email(self, turn: Turn) -> None:
        """Out of hours, an e-mail address in a waiting conversation is where to answer."""
        if is_open(self.hours, self.clock()):
            return
        found = EMAIL.search(turn.text)
        if not found or len(found.group()) > 254:
            return
        email = found.group()

        def work(session: Session, changes: Changes) -> None:
            conversation = _tracked(session, changes, turn.conversation_id)
            store.set_contact_email(conversation, email)
            changes.message(conversation, store.add_message(
                session, conversation, Sender.SYSTEM, texts.ACTIVITY_EMAIL, kind=Kind.ACTIVITY))
            changes.message(conversation, store.add_message(
                session, conversation, Sender.SYSTEM, texts.email_noted(email)))

        await self.writer(turn.conversation_id, work)

    async def close(self) -> None:
        """At shutdown: let running turns finish for a moment, then cancel the rest."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=SHUTDOWN_GRACE)
        for task in pending:
            task.cancel()


def _read_turn(session: Session, conversation_id: str, message_id: str) -> Turn:
    conversation = store.get_conversation(session, conversation_id)
    message = store.get_message(session, message_id)
    if conversation is None or message is None:
        raise LookupError(conversation_id)
    return Turn(conversation.id, conversation.mode, conversation.client_id, conversation.channel,
                conversation.rasa_paused, message.kind, message.text, message.payload)


def _tracked(session: Session, changes: Changes, conversation_id: str) -> Conversation:
    conversation = store.get_conversation(session, conversation_id)
    if conversation is None:
        raise LookupError(conversation_id)
    changes.track(conversation)
    return conversation


def _mark_resumed(conversation_id: str) -> Callable[[Session, Changes], None]:
    def work(session: Session, changes: Changes) -> None:
        conversation = store.get_conversation(session, conversation_id)
        if conversation is not None:
            conversation.rasa_paused = False

    return work


def _text_and_buttons(reply: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    """A Rasa reply's text and well-formed buttons (images and other custom data are dropped)."""
    text = reply.get("text") if isinstance(reply.get("text"), str) else ""
    buttons = [{"title": b["title"], "payload": b["payload"]}
               for b in reply.get("buttons") or []
               if isinstance(b, dict) and isinstance(b.get("title"), str)
               and isinstance(b.get("payload"), str)]
    return text, buttons

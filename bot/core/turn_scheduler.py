"""Turns run in the background, one at a time per conversation, in the order the messages came,
each once: also across a restart, and across gateway replicas on one store.

    scheduler = TurnScheduler(db, take_turn, lease=timedelta(seconds=120))   # take_turn(Turn)
    scheduler.submit(conversation_id, message_id)   # intake: a message it has just stored
    await scheduler.recover()                        # at start: what was left unrouted
    scheduler.start_sweeping()                       # ... and again every SWEEP_INTERVAL

A client's message is stored unrouted (bot/store/routing.py). To route a conversation, a replica
holds its lease and takes its oldest unrouted message, read as a `Turn` in the transaction of
the claim, runs its turn (`take_turn(turn)`, which must mark the message routed, in the
transaction that ends it), and so on until none is left; then, in the transaction of that last
look, it releases the lease and looks once more (a message another replica stored meanwhile was
left to the lease holder). One transaction per message taken, one more at the end. A
conversation whose lease another replica holds is left to it.

`recover()` routes every conversation with an unrouted message whose lease is free or expired:
what a stopped gateway left (turns cut short, turns never begun), what a killed replica held once
its lease expired. Such a message may have reached Rasa already: its turn gets `maybe_sent`.

A failing turn is logged (its exception class only, never the message) and its message marked
routed: never retried for ever, never lost silently. At shutdown running turns get a moment to
finish, the rest are cancelled and this replica's leases released, so the next start (of any
replica) takes their messages at once.
"""
from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.core.turn import Turn, read_turn
from bot.core.turn_end import AlreadyRouted
from bot.store import routing
from bot.store.db import Database
from bot.store.models import new_id, now_utc

log = logging.getLogger("bot.core.turn_scheduler")

# Running turns get this long at shutdown: well under the 5 s a supervisor (honcho in `make run`)
# waits before SIGKILL, so the leases of the turns cut short are still released.
SHUTDOWN_GRACE = 3.0
SWEEP_INTERVAL = 30.0
MAX_FRESH = 10_000  # ids of messages this replica's intake stored, kept until their turn

TakeTurn = Callable[[Turn], Awaitable[None]]


class TurnScheduler:
    def __init__(self, db: Database, take_turn: TakeTurn, lease: timedelta,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.db = db
        self.take_turn = take_turn
        self.lease = lease
        self.clock = clock
        self.replica = new_id()  # this process, as the store's routing leases name it
        self._fresh: dict[str, None] = {}  # an ordered set
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary())
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"TurnScheduler(replica={self.replica!r}, running={len(self._tasks)})"

    def submit(self, conversation_id: str, message_id: str | None = None) -> None:
        """Route the conversation's waiting messages in the background; `message_id` is one this
        replica has just stored (so it has not reached Rasa yet)."""
        if message_id is not None:
            self._fresh[message_id] = None
            while len(self._fresh) > MAX_FRESH:
                del self._fresh[next(iter(self._fresh))]
        self._spawn(self._run(conversation_id), f"turn-{conversation_id}")

    async def recover(self) -> int:
        """Route every conversation left with unrouted messages and no live lease; how many."""
        now = self.clock()
        found = await self.db.run(
            lambda session: routing.conversations_to_route(session, self.replica, now))
        for conversation_id in found:
            self.submit(conversation_id)
        if found:
            log.info("routing %d conversation(s) with messages left waiting", len(found))
        return len(found)

    def start_sweeping(self, interval: float = SWEEP_INTERVAL) -> None:
        """`recover()` every `interval` seconds: the leases of a killed replica expire."""
        self._sweeper = asyncio.create_task(self._sweep(interval), name="turn-sweeper")

    async def _sweep(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.recover()
            except Exception as exc:  # noqa: BLE001 - the store may be back at the next sweep
                log.warning("sweep for waiting messages failed (%s)", type(exc).__name__)

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, conversation_id: str) -> None:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = self._locks[conversation_id] = asyncio.Lock()
        async with lock:
            try:
                await self._route(conversation_id)
            except Exception as exc:  # noqa: BLE001 - a background task: log it, never lose it
                log.error("conversation %s: routing failed (%s)", conversation_id,
                          type(exc).__name__)

    async def _route(self, conversation_id: str) -> None:
        """Each waiting message's turn, oldest first, while this replica holds the lease."""
        last: str | None = None
        while True:
            turn = await self.db.run(
                lambda session: self._claim_next(session, conversation_id))
            if turn is None:
                return  # none left (lease released), or another replica routes it now
            if turn.message_id == last:  # its turn ended without marking it: never run it twice
                log.error("conversation %s: a turn left its message unrouted", conversation_id)
                await self._mark_routed(turn.message_id)
                continue
            last = turn.message_id
            await self._turn(turn)

    def _claim_next(self, session: Session, conversation_id: str) -> Turn | None:
        """The next message's turn under this replica's lease (claimed or renewed); None when
        another replica holds the lease, or none is left and the lease is given back. One
        transaction: the claim's row lock is held until the release commits, so a message
        another replica stores meanwhile is seen by the second look (`release`) or finds the
        lease free. A message that can't be read as a turn (gone, or a value this code doesn't
        know) is logged and marked routed here: the conversation is never stuck on it."""
        now = self.clock()
        if not routing.claim(session, conversation_id, self.replica, now, now + self.lease):
            return None
        while True:
            message_id = routing.next_unrouted(session, conversation_id)
            if (message_id is None and routing.release(session, conversation_id, self.replica)
                    and routing.claim(session, conversation_id, self.replica, now,
                                      now + self.lease)):
                # stored meanwhile by another replica, which left it to the lease holder: taken
                message_id = routing.next_unrouted(session, conversation_id)
            if message_id is None:
                return None
            try:
                return read_turn(session, conversation_id, message_id)
            except LookupError as exc:
                log.error("conversation %s: a waiting message could not be read (%s); marked "
                          "routed", conversation_id, type(exc).__name__)
                routing.mark_routed(session, message_id)

    async def _turn(self, turn: Turn) -> None:
        # Not stored by this replica's intake since it started: it may have reached Rasa.
        turn = replace(turn, maybe_sent=turn.message_id not in self._fresh)
        self._fresh.pop(turn.message_id, None)
        try:
            await self.take_turn(turn)
        except AlreadyRouted:  # another replica ended it (its lease had expired): answered once
            log.info("conversation %s: the turn had ended elsewhere", turn.conversation_id)
        except Exception as exc:  # noqa: BLE001 - logged; the next message's turn still comes
            log.error("conversation %s: turn failed (%s)", turn.conversation_id,
                      type(exc).__name__)
            await self._mark_routed(turn.message_id)

    async def _mark_routed(self, message_id: str) -> None:
        await self.db.run(lambda session: routing.mark_routed(session, message_id))

    async def idle(self) -> None:
        """Until every turn submitted so far (and any they submit) has run."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def close(self) -> None:
        """At shutdown: running turns get a moment, the rest are cancelled, leases released."""
        if self._sweeper is not None:
            self._sweeper.cancel()
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=SHUTDOWN_GRACE)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=1.0)
        try:
            released = await self.db.run(
                lambda session: routing.release_all(session, self.replica))
        except Exception as exc:  # noqa: BLE001 - the leases then expire instead
            log.warning("routing leases not released (%s)", type(exc).__name__)
            return
        if released:
            log.info("released %d conversation(s) with turns cut short", released)

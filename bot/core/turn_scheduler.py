"""Turns run in the background, one at a time per conversation, in the order they came.

    scheduler = TurnScheduler(take_turn)      # take_turn(conversation_id, message_id)
    scheduler.submit(conversation_id, message_id)

A failing turn is logged (its exception class only, never the message) and never lost silently;
at shutdown running turns get a moment to finish, then the rest are cancelled.
"""
from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable

log = logging.getLogger("bot.core.turn_scheduler")

SHUTDOWN_GRACE = 5.0

TakeTurn = Callable[[str, str], Awaitable[None]]


class TurnScheduler:
    def __init__(self, take_turn: TakeTurn) -> None:
        self.take_turn = take_turn
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary())
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"TurnScheduler(running={len(self._tasks)})"

    def submit(self, conversation_id: str, message_id: str) -> None:
        """Run the message's turn in the background (one turn per conversation at a time)."""
        task = asyncio.create_task(self._run(conversation_id, message_id),
                                   name=f"turn-{conversation_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, conversation_id: str, message_id: str) -> None:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = self._locks[conversation_id] = asyncio.Lock()
        async with lock:
            try:
                await self.take_turn(conversation_id, message_id)
            except Exception as exc:  # noqa: BLE001 - a background task: log it, never lose it
                log.error("conversation %s: turn failed (%s)", conversation_id,
                          type(exc).__name__)

    async def idle(self) -> None:
        """Until every turn submitted so far (and any they submit) has run."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def close(self) -> None:
        """At shutdown: let running turns finish for a moment, then cancel the rest."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=SHUTDOWN_GRACE)
        for task in pending:
            task.cancel()

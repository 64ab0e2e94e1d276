"""Bot API calls leave from here: in order per chat, from the adapter's own tasks, retried.

    outbox.put(chat_id, "sendMessage", lambda: bot.send_message(...), conversation_id)

`put` never blocks and never raises: the core calls the delivery after its commit. Each chat has
a queue drained by one task (started when there is work, ended when the queue is empty), so the
messages of a conversation arrive in the order the core committed them, and a slow or failing
chat never holds up another. A failure is logged (the method, the conversation and the error's
kind: never the text or the token) and retried: Telegram's `RetryAfter` after the time it asks,
network errors and timeouts with a growing pause, up to `attempts`; anything else Telegram
refuses (a bad request, a bot the user blocked) is logged and dropped: the transcript has it.
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

log = logging.getLogger("bot.channels.telegram")

Call = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class _Job:
    method: str
    call: Call
    conversation_id: str | None


class TelegramOutbox:
    def __init__(self, attempts: int = 5, first_pause: float = 0.5,
                 longest_pause: float = 30.0) -> None:
        self.attempts = attempts
        self.first_pause = first_pause
        self.longest_pause = longest_pause
        self._queues: dict[str, deque[_Job]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def __repr__(self) -> str:
        return f"TelegramOutbox(chats={len(self._queues)})"

    def put(self, chat_id: str, method: str, call: Call,
            conversation_id: str | None = None) -> None:
        self._queues.setdefault(chat_id, deque()).append(_Job(method, call, conversation_id))
        if chat_id not in self._tasks:
            self._tasks[chat_id] = asyncio.get_running_loop().create_task(self._drain(chat_id))

    async def idle(self) -> None:
        """Until everything queued now has been sent (or given up on)."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def close(self, grace: float = 3.0) -> None:
        """Let queued calls go out for `grace` seconds, then cancel the rest."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(list(self._tasks.values()), timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _drain(self, chat_id: str) -> None:
        queue = self._queues[chat_id]
        try:
            while queue:
                await self._send(queue[0])
                queue.popleft()
        finally:  # emptied, or cancelled at shutdown (what is left stays for a later put)
            self._tasks.pop(chat_id, None)
            if not queue:
                self._queues.pop(chat_id, None)

    async def _send(self, job: _Job) -> None:
        pause = self.first_pause
        for attempt in range(1, self.attempts + 1):
            try:
                await job.call()
                return
            except RetryAfter as exc:
                wait = _seconds(exc.retry_after)
            except NetworkError as exc:  # TimedOut too; BadRequest is one, but a final one
                if _final(exc):
                    log.warning("telegram %s for conversation %s refused (%s); not retried",
                                job.method, job.conversation_id, type(exc).__name__)
                    return
                wait = pause
                pause = min(pause * 2, self.longest_pause)
            except TelegramError as exc:
                log.warning("telegram %s for conversation %s refused (%s); not retried",
                            job.method, job.conversation_id, type(exc).__name__)
                return
            except Exception as exc:  # noqa: BLE001 - a bug in one call must not stop the chat
                log.error("telegram %s for conversation %s failed (%s); not retried",
                          job.method, job.conversation_id, type(exc).__name__)
                return
            if attempt == self.attempts:
                break
            log.warning("telegram %s for conversation %s failed (attempt %d of %d); retrying "
                        "in %.1f s", job.method, job.conversation_id, attempt, self.attempts,
                        wait)
            await asyncio.sleep(wait)
        log.error("telegram %s for conversation %s not sent after %d attempts", job.method,
                  job.conversation_id, self.attempts)


def _seconds(value: Any) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


def _final(exc: NetworkError) -> bool:
    """A BadRequest is a NetworkError in python-telegram-bot, but sending it again won't help."""
    return isinstance(exc, BadRequest)

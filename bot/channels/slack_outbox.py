"""Calls to Slack's Web API, queued and sent in order per conversation from the adapter's own tasks.

`put` never blocks and never fails: the core has committed the message already. Each conversation
with work has one task that sends its calls oldest first; it ends when the queue is empty. The
Web API client retries rate limits (429, `Retry-After`), dropped connections and Slack's 5xx
itself (slack_sdk's retry handlers); what still fails is tried again here after a pause, a few
times, then given up (logged). An error Slack gives for the call itself (`channel_not_found`,
`invalid_blocks`, ...) would fail again: logged once, not retried. The log has the method, the
conversation and Slack's error code: never the text, never the token.
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("bot.channels.slack")

ATTEMPTS = 4
FIRST_PAUSE_SECONDS = 1.0
# Slack's own errors worth another try later (the rest describe the call and would fail again).
TRANSIENT_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                              "request_timeout"})


@dataclass(frozen=True)
class SlackCall:
    method: str               # e.g. "chat.postMessage"
    arguments: dict[str, Any]


# A call made when its turn comes (so it may look things up first), in the conversation's task.
PendingCall = Callable[[], Awaitable[SlackCall]]


class SlackOutbox:
    def __init__(self, client: AsyncWebClient, attempts: int = ATTEMPTS,
                 first_pause: float = FIRST_PAUSE_SECONDS) -> None:
        self.client = client
        self.attempts = attempts
        self.first_pause = first_pause
        self._queues: dict[str, deque[PendingCall]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def __repr__(self) -> str:
        return f"SlackOutbox(busy={len(self._tasks)})"

    def put(self, conversation_id: str, call: PendingCall) -> None:
        """Queue the call behind the conversation's earlier ones (from the event loop)."""
        self._queues.setdefault(conversation_id, deque()).append(call)
        if conversation_id not in self._tasks:
            self._tasks[conversation_id] = asyncio.get_running_loop().create_task(
                self._drain(conversation_id), name=f"slack-outbox-{conversation_id}")

    async def _drain(self, conversation_id: str) -> None:
        queue = self._queues[conversation_id]
        try:
            while queue:
                try:
                    call = await queue[0]()
                except Exception as exc:  # noqa: BLE001 - e.g. the store, for the thread
                    log.error("slack: a message for conversation %s not prepared (%s); not sent",
                              conversation_id, type(exc).__name__)
                else:
                    await self._send(conversation_id, call)
                queue.popleft()
        finally:
            self._tasks.pop(conversation_id, None)
            if not queue:
                self._queues.pop(conversation_id, None)

    async def _send(self, conversation_id: str, call: SlackCall) -> None:
        pause = self.first_pause
        for attempt in range(1, self.attempts + 1):
            try:
                await self.client.api_call(call.method, json=call.arguments)
                return
            except SlackApiError as exc:
                error = str(exc.response.get("error", "unknown"))
                if error not in TRANSIENT_ERRORS and exc.response.status_code < 500:
                    log.warning("slack: %s for conversation %s refused (%s); not sent",
                                call.method, conversation_id, error)
                    return
                reason = error
            except Exception as exc:  # noqa: BLE001 - the connection, aiohttp: try again later
                reason = type(exc).__name__
            if attempt < self.attempts:
                log.warning("slack: %s for conversation %s failed (%s), attempt %d of %d; "
                            "trying again in %.0f s", call.method, conversation_id, reason,
                            attempt, self.attempts, pause)
                await asyncio.sleep(pause)
                pause *= 2
        log.error("slack: %s for conversation %s failed %d times (%s); given up",
                  call.method, conversation_id, self.attempts, reason)

    async def close(self, grace: float = 3.0) -> None:
        """Let queued calls go out for up to `grace` seconds, then cancel the rest."""
        tasks = list(self._tasks.values())
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

"""Several Rasa servers behind one client: each conversation sticks to one replica.

    rasa = RasaReplicas([RasaClient(url, api_secret, webhook_secret, timeout) for url in urls])
    answer = await rasa.send(conversation_id, "how many credits?", metadata)

Rasa Open Source's lock store is not safe when two replicas take the same conversation's lock at
once, so a conversation always goes to the same replica: the one ranked first for it by
rendezvous hashing (a stable hash of replica and conversation id). Its trackers are in one
shared store (PostgreSQL), so any replica can carry a conversation on:

- A replica that refuses the connection is marked down for `DOWN_SECONDS`; its conversations go
  to their next replica in rank meanwhile (and come back afterwards). Only the down replica's
  conversations move.
- A replica that dies *while it has a message* (the connection drops, and a fresh one is refused)
  is down too: the next replica's tracker says whether the dead one finished the turn (Rasa saves
  a turn's events once it has run); its replies are used if it did, the message is sent there if
  it didn't. Neither lost nor answered twice.
- A replica that is alive but slow keeps the message: the failure is in doubt, as with one
  server (bot/core/bot_turn.py reads the tracker for the late turn).

With one replica this is exactly `RasaClient`.
"""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import httpx

from bot.core.rasa_client import RasaAnswer, RasaClient, RasaUnavailable
from bot.core.rasa_replies import replies_in_tracker

log = logging.getLogger("bot.core.rasa_replicas")

DOWN_SECONDS = 5.0
PROBE_TIMEOUT = 2.0
T = TypeVar("T")


def rank(conversation_id: str, names: Sequence[str]) -> list[int]:
    """The replicas' indexes in this conversation's order of preference (rendezvous hashing:
    removing a replica moves only its own conversations)."""
    def weight(index: int) -> bytes:
        key = f"{names[index]}\x00{conversation_id}".encode()
        return hashlib.blake2b(key, digest_size=8).digest()

    return sorted(range(len(names)), key=weight, reverse=True)


class RasaReplicas:
    """The same calls as `RasaClient`, spread over replicas by conversation."""

    def __init__(self, replicas: Sequence[RasaClient],
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not replicas:
            raise ValueError("at least one Rasa replica")
        self.replicas = list(replicas)
        self._names = [replica.base_url for replica in self.replicas]
        self._down_until = [0.0] * len(self.replicas)
        self._clock = clock

    def __repr__(self) -> str:
        return f"RasaReplicas({self._names!r})"

    def replica_for(self, conversation_id: str) -> RasaClient:
        """The replica this conversation goes to now."""
        return self.replicas[self._order(conversation_id)[0]]

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any],
                   wait: float | None = None) -> RasaAnswer:
        message_id = metadata.get("message_id")
        died_holding_it = False
        for attempt, index in enumerate(order := self._order(conversation_id)):
            replica = self.replicas[index]
            try:
                if died_holding_it and isinstance(message_id, str):
                    earlier = replies_in_tracker(await replica.tracker(conversation_id),
                                                 message_id)
                    if earlier is not None:
                        return RasaAnswer(earlier)
                return await replica.send(conversation_id, text, metadata, wait)
            except RasaUnavailable as exc:
                if attempt == len(order) - 1 or not await self._moves_on(index, exc):
                    raise
                died_holding_it = died_holding_it or exc.in_doubt
        raise AssertionError("unreachable")  # the last attempt returns or raises

    async def resume(self, conversation_id: str) -> None:
        await self._first_answer(conversation_id, lambda replica: replica.resume(conversation_id),
                                 safe_to_repeat=False)

    async def start_session(self, conversation_id: str, slots: dict[str, Any]) -> None:
        """A new session with these identity slots, on the conversation's replica (posting the
        same new session twice is harmless: the later one wins)."""
        await self._first_answer(conversation_id,
                                 lambda replica: replica.start_session(conversation_id, slots),
                                 safe_to_repeat=True)

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        return await self._first_answer(conversation_id,
                                        lambda replica: replica.tracker(conversation_id),
                                        safe_to_repeat=True)

    async def latest(self, conversation_id: str) -> dict[str, Any]:
        return await self._first_answer(conversation_id,
                                        lambda replica: replica.latest(conversation_id),
                                        safe_to_repeat=True)

    async def aclose(self) -> None:
        for replica in self.replicas:
            await replica.aclose()

    async def _first_answer(self, conversation_id: str,
                            call: Callable[[RasaClient], Awaitable[T]],
                            safe_to_repeat: bool) -> T:
        order = self._order(conversation_id)
        for attempt, index in enumerate(order):
            try:
                return await call(self.replicas[index])
            except RasaUnavailable as exc:
                last = attempt == len(order) - 1
                if last or (exc.in_doubt and not safe_to_repeat) \
                        or not await self._moves_on(index, exc):
                    raise
        raise AssertionError("unreachable")

    def _order(self, conversation_id: str) -> list[int]:
        """Ranked for the conversation, the replicas marked down last (a last resort)."""
        now = self._clock()
        ranked = rank(conversation_id, self._names)
        return sorted(ranked, key=lambda index: self._down_until[index] > now)

    async def _moves_on(self, index: int, exc: RasaUnavailable) -> bool:
        """Whether the conversation goes to its next replica: this one refused the connection,
        or dropped it and refuses a fresh one (it is down). Marks it down if so."""
        if exc.in_doubt and await self._alive(self.replicas[index]):
            return False
        self._down_until[index] = self._clock() + DOWN_SECONDS
        log.warning("Rasa replica %s is down (%s); its conversations go to another for %.0f s",
                    self._names[index], exc, DOWN_SECONDS)
        return True

    @staticmethod
    async def _alive(replica: RasaClient) -> bool:
        """False only when a fresh connection is refused: a busy replica is alive."""
        try:
            async with httpx.AsyncClient(timeout=PROBE_TIMEOUT) as probe:
                await probe.get(f"{replica.base_url}/")
        except httpx.ConnectError:
            return False
        except httpx.HTTPError:
            return True
        return True

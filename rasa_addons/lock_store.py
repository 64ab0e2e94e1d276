"""Rasa's Redis lock store, with the one fix a replica's death needs (endpoints-production.yml).

Rasa 3.6 serialises a conversation's turns with tickets: each request takes the next number and
waits until it is served; a ticket expires after TICKET_LOCK_LIFETIME, so a replica that dies
holding the lock doesn't hold it for ever. But a waiting ticket expires too, on the same clock:
the request that waits behind a dead replica's turn was issued a moment after it, so both
tickets usually expire within the same one-second poll. Rasa then finds a lock with no tickets,
whose "now serving" is 0, never its own number, and waits until its caller gives up (the
gateway's RASA_TIMEOUT): the client gets an apology for a turn the other replica could have
answered (found by tests/scale/test_scale_failover.py).

Here a request whose own ticket has expired while it waited takes a new one (the back of the
queue, behind anyone still waiting) instead of waiting for a number that can no longer come up,
and gives back that new ticket when done.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core import lock_store
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError
from rasa.utils.endpoints import EndpointConfig

log = logging.getLogger(__name__)


class RedisLockStore(lock_store.RedisLockStore):
    """`type: rasa_addons.lock_store.RedisLockStore` in endpoints.yml, with the same keys as
    Rasa's `type: redis` (url, port, db, password, key_prefix, ...)."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        kwargs: dict[str, Any] = dict(endpoint_config.kwargs)
        super().__init__(host=endpoint_config.url, **kwargs)

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            while True:
                lock = self.get_lock(conversation_id)
                if lock is None:
                    raise LockError(
                        f"Could not acquire lock for conversation_id '{conversation_id}'.")
                if not lock.is_locked(ticket):
                    break
                if ticket_expired(lock, ticket):
                    log.info("conversation %s: its ticket expired while it waited; taking a "
                             "new one", conversation_id)
                    ticket = self.issue_ticket(conversation_id, lock_lifetime)
                    continue
                await asyncio.sleep(wait_time_in_seconds)
                self.update_lock(conversation_id)
            yield lock
        finally:
            self.cleanup(conversation_id, ticket)


def ticket_expired(lock: TicketLock, ticket: int) -> bool:
    """Whether `ticket` is no longer among the lock's live tickets (it expired, and was removed,
    while its request waited)."""
    return all(held.number != ticket or held.has_expired() for held in lock.tickets)

"""A message's turn ends exactly once, also when the store loses its connection under it.

    await end_turn(unit_of_work, turn, work)   # work(session, changes) marks the message routed

Every answer to a client's message (the assistant's, the safety reply, an e-mail address noted
out of hours, leaving the queue, a data request, "the console has it") is stored in the
transaction that marks the message routed (`mark_turn_ended`, `tracked_turn_conversation`),
and that transaction refuses (`AlreadyRouted`, rolled back) when the message was routed already.

A connection cut while such a transaction commits leaves its outcome unknown (the store runs a
unit of work again only when it surely did not commit: bot/store/db.py). `answer_once` then
runs the attempt again, after STORE_LOST_RETRIES, with the turn marked `maybe_sent`: a first
commit that happened makes the second attempt find its message routed (`AlreadyRouted`: the turn
is over, answered once), and what that commit stored is then announced to the client and the
console (nothing was, its outcome unknown: `unit_of_work.in_doubt_of`), once its rows are found
in the store; one that didn't is simply made now. The attempt is the transaction
alone for every answer but the assistant's (what came before it, asking Rasa or sending an
e-mail, is not done again); the assistant's turn runs whole again, reading Rasa's tracker
instead of asking twice (bot_turn.py).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from bot.core.turn import Turn
from bot.core.unit_of_work import ChangeSet, InDoubt, UnitOfWork, in_doubt_of
from bot.store import conversations as store
from bot.store import routing
from bot.store.models import Conversation

log = logging.getLogger("bot.core.turn_end")

# An answer the store lost its connection under runs again after these pauses (seconds).
STORE_LOST_RETRIES = (0.5, 2.0)


class AlreadyRouted(Exception):
    """The message's turn had ended (another replica, or this answer's earlier commit): this
    answer is not stored."""


def connection_lost(exc: DBAPIError) -> bool:
    """A failure of the connection (cut, refused, the server restarting), not of the work."""
    return exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))


def mark_turn_ended(session: Session, turn: Turn) -> None:
    """The turn's message marked routed in the caller's transaction, the one storing its answer;
    `AlreadyRouted` (the answer rolled back) if it was already."""
    if not routing.mark_routed(session, turn.message_id):
        raise AlreadyRouted(turn.message_id)


def tracked_turn_conversation(session: Session, changes: ChangeSet, turn: Turn) -> Conversation:
    """The turn's conversation, watched for announcements; its message marked routed in the
    same transaction as the answer (`mark_turn_ended`)."""
    conversation = store.get_conversation(session, turn.conversation_id)
    if conversation is None:
        raise LookupError(turn.conversation_id)
    mark_turn_ended(session, turn)
    changes.track(conversation)
    return conversation


async def answer_once[T](turn: Turn, attempt: Callable[[Turn], Awaitable[T]]) -> T | None:
    """`attempt(turn)`, whose transaction ends the turn; run again (the turn `maybe_sent`) when
    the store lost its connection under it. None when the turn had ended already (the earlier
    attempt committed after all, or a message that may have been answered before: recovered);
    `AlreadyRouted` goes up when a fresh message's turn was ended by someone else."""
    cuts: list[InDoubt] = []  # the attempts whose work was done and whose commit was cut
    for pause in (*STORE_LOST_RETRIES, None):
        try:
            return await attempt(turn)
        except AlreadyRouted:
            if not turn.maybe_sent:
                raise
            if await _announce_the_committed(turn, cuts):
                log.info("conversation %s: the turn had ended with a commit that was cut; its "
                         "answer is announced now", turn.conversation_id)
            else:
                log.info("conversation %s: the turn had ended already", turn.conversation_id)
            return None
        except DBAPIError as exc:
            if (in_doubt := in_doubt_of(exc)) is not None:
                cuts.append(in_doubt)
            if pause is None or not connection_lost(exc):
                await _announce_the_committed(turn, cuts)  # best effort: the store may be down
                raise
            log.warning("conversation %s: the store's connection was lost during the turn "
                        "(%s); it runs again", turn.conversation_id, type(exc.orig).__name__)
            turn = replace(turn, maybe_sent=True)
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")  # the last attempt returned or raised


async def _announce_the_committed(turn: Turn, cuts: list[InDoubt]) -> bool:
    """Announce the attempt among `cuts` that did commit (at most one can: each marks the message
    routed); False if none did, or the store can't tell now (logged)."""
    for cut in cuts:
        try:
            if await cut.announce_if_committed():
                return True
        except DBAPIError as exc:
            log.warning("conversation %s: whether a cut commit happened can't be read (%s); "
                        "its answer, if stored, shows at the client's next sync",
                        turn.conversation_id, type(exc.orig).__name__)
            return False
    return False


async def end_turn[T](unit_of_work: UnitOfWork, turn: Turn,
                      work: Callable[[Session, ChangeSet], T]) -> T | None:
    """`work`, which marks the turn's message routed, in one unit of work: `answer_once` with
    that transaction alone as the attempt."""
    return await answer_once(turn, lambda _: unit_of_work(turn.conversation_id, work))

"""The assistant's turn: the client's message goes to Rasa, its replies come back to the client.

- Typing is shown meanwhile (through the conversation's channel).
- A Rasa the gateway handed off from is resumed first (the conversation came back to the bot by
  reopening after it was resolved); a Rasa that couldn't be told when the conversation's client
  changed (a chat account linked or unlinked) starts a new session with its identity first.
- The message carries its id in the metadata, so Rasa's tracker can tell whether its turn
  happened. A message that may have reached Rasa already (its turn was cut short by a gateway that
  stopped) is looked up there first and sent only if Rasa never had it.
- Replies are stored and delivered; an action's handoff request queues the conversation for the
  team (the state machine's `hand_off`). The message is marked routed in the same transaction.
  A message the assistant missed (fallback, out of scope, handed over as not understood) goes
  to the review queue in that transaction too (review_queue.py), and so do the report's
  `answered` event (what the NLU made of the message, said in Rasa's answer) and "Did that
  answer your question?". An answer that came another way (from the tracker after a timeout)
  is delivered first; the tracker is then read for the report, noted in its own transaction.
- Rasa timed out or failed while it had the message: its tracker is read (for up to
  RASA_TRACKER_WAIT seconds) for that turn's replies, which are then used as if they had come.
- No answer at all (an empty reply) is a failure, never silence. Rasa answers nothing while its
  tracker is paused: paused by a handoff the gateway never saw (the turn that asked for it
  finished after the gateway gave up on it), the conversation goes where that turn asked, to the
  team, with what that turn said; paused without one, to the team as well (it is not the
  assistant's any more), never left stuck.
- Rasa down, or no answer and nothing paused: the honest "I can't answer right now" with a *Talk
  to a person* button; pressing it (any `/request_human`) then hands the conversation over from
  here.
- The store lost its connection under the turn (the commit of its answer cut, so whether it
  committed is unknown, or the server down past the store's own retries): the turn runs again,
  as one that may have reached Rasa. Rasa's tracker says whether it ran and what it answered;
  an answer that was committed after all finds its message routed (`AlreadyRouted`) and is not
  stored twice. Every store write of this turn marks the message routed in its transaction, so
  a run again never answers twice (turn_end.py: the same for every answer).
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from bot.core import feedback, texts
from bot.core.answer_events import Understood, offers_feedback, understood
from bot.core.handoff_states import (
    Context,
    HandoffRequest,
    Refused,
    Trigger,
    ZoneLookup,
    apply,
    zone_if_closed,
)
from bot.core.rasa_client import RasaApi, RasaUnavailable
from bot.core.rasa_replies import BotReplies, pausing_turn, read_replies, replies_in_tracker
from bot.core.review_queue import NOT_UNDERSTOOD, SOURCES, send_to_review
from bot.core.turn import Turn
from bot.core.turn_end import answer_once, tracked_turn_conversation
from bot.core.unit_of_work import ChangeSet, UnitOfWork
from bot.store import conversations as store
from bot.store import events
from bot.store.models import Conversation, Kind, Mode, Priority, Sender, now_utc
from envsettings.support_hours import SupportHours

log = logging.getLogger("bot.core.bot_turn")

LOCALE = "en"
TRACKER_POLL = 0.5  # seconds between two reads of Rasa's tracker while waiting for a late turn
# The gateway hands off by itself. Rasa may still pause itself afterwards (a turn the gateway gave
# up on finishing late), so it is resumed before the bot answers this conversation again.
RASA_DOWN_HANDOFF = HandoffRequest("platform_unavailable", Priority.HIGH, bot_paused=True)


class BotTurn:
    def __init__(self, unit_of_work: UnitOfWork, rasa: RasaApi, hours: SupportHours,
                 tracker_wait: float = 10.0, clock: Callable[[], datetime] = now_utc,
                 zones: ZoneLookup | None = None) -> None:
        self.unit_of_work = unit_of_work
        self.rasa = rasa
        self.hours = hours
        self.zones = zones  # the client's zone, for the hours told out of them
        self.tracker_wait = tracker_wait
        self.clock = clock

    def __repr__(self) -> str:
        return f"BotTurn(rasa={self.rasa!r})"

    async def answer(self, turn: Turn) -> None:
        """Rasa's answer to the turn's message, stored and delivered; run again when the store
        lost its connection under it (the module's docstring, turn_end.py)."""
        await answer_once(turn, self._answer_once)

    async def _answer_once(self, turn: Turn) -> None:
        delivery = self.unit_of_work.deliveries.of(turn.address)
        delivery.typing(turn.address, True)
        try:
            replies = await self._ask(turn)
            if replies is not None and replies.empty:
                replies = await self._unpaused(turn)
            hands_off = (turn.asks_for_a_person if replies is None
                         else replies.handoff is not None)
            zone = (await zone_if_closed(self.hours, self.clock(), turn.client_id, self.zones)
                    if hands_off else UTC)
            if replies is None:
                await self.unit_of_work(turn.conversation_id, self._without_the_bot(turn, zone))
                return
            seen = (understood(replies.state, turn.message_id)
                    if replies.state is not None else None)
            await self.unit_of_work(turn.conversation_id,
                                    self._store_replies(turn, replies, zone, seen))
        finally:
            delivery.typing(turn.address, False)
        if seen is None:
            await self._note_answer_later(turn, replies)

    async def _note_answer_later(self, turn: Turn, replies: BotReplies) -> None:
        """The answer came without Rasa's state (read from its tracker after a timeout, or a Rasa
        that doesn't say it): once it is delivered, the state is read and the report noted in a
        transaction of its own; a failure here costs one report event, never the answer."""
        try:
            state = await self.rasa.latest(turn.conversation_id)
        except RasaUnavailable as exc:
            log.info("conversation %s: tracker unavailable for the report (%s)",
                     turn.conversation_id, exc)
            state = {}
        seen = understood(state, turn.message_id)

        def work(session: Session, changes: ChangeSet) -> None:
            conversation = store.get_conversation(session, turn.conversation_id)
            if conversation is not None:
                self._note_answer(session, changes, conversation, replies, seen)

        try:
            await self.unit_of_work(turn.conversation_id, work)
        except Exception:  # the answer is delivered; the report misses one event, logged
            log.exception("conversation %s: the answer's report event was not recorded",
                          turn.conversation_id)

    def _note_answer(self, session: Session, changes: ChangeSet, conversation: Conversation,
                     replies: BotReplies, seen: Understood) -> None:
        """The report's `answered` event, and "Did that answer your question?" when it fits."""
        events.record(session, conversation.id, events.ANSWERED, at=self.clock(),
                      intent=seen.intent, topic=seen.topic)
        signed_in = conversation.client_id is not None
        if (offers_feedback(seen, replies, signed_in) and conversation.mode == Mode.BOT
                and not conversation.shared):
            feedback.ask_if_it_helped(session, changes, conversation)

    async def _ask(self, turn: Turn) -> BotReplies | None:
        """Rasa's answer to the message (from its tracker if it had the message already), or
        None when Rasa couldn't give one."""
        try:
            if turn.rasa_paused:
                await self.rasa.resume(turn.conversation_id)
                await self.unit_of_work(turn.conversation_id,
                                        _mark_resumed(turn.conversation_id))
            if turn.identity_stale:
                await self.rasa.start_session(turn.conversation_id, turn.identity_slots)
                await self.unit_of_work.db.run(
                    lambda session: mark_identity_told(session, turn.conversation_id))
            if turn.maybe_sent:
                earlier = replies_in_tracker(await self.rasa.tracker(turn.conversation_id),
                                             turn.message_id)
                if earlier is not None:
                    log.info("conversation %s: the turn had happened in Rasa already",
                             turn.conversation_id)
                    return read_replies(earlier)
        except RasaUnavailable as exc:
            log.warning("conversation %s: assistant unavailable (%s)", turn.conversation_id, exc)
            return None
        metadata = {**turn.rasa_metadata(LOCALE), "message_id": turn.message_id}
        try:
            answer = await self.rasa.send(turn.conversation_id, turn.for_rasa, metadata)
            return read_replies(answer.replies, answer.state)
        except RasaUnavailable as exc:
            log.warning("conversation %s: assistant unavailable (%s)", turn.conversation_id, exc)
            late = await self._late_replies(turn, self.tracker_wait if exc.in_doubt else 0.0)
            return read_replies(late) if late is not None else None

    async def _late_replies(self, turn: Turn, wait: float) -> list[dict[str, Any]] | None:
        """The turn's replies from Rasa's tracker, once it has run there (after a timeout Rasa
        may still be busy with it); None if it hasn't within `wait` seconds (RASA_TRACKER_WAIT),
        or the tracker can't be read."""
        deadline = time.monotonic() + wait
        while True:
            try:
                tracker = await self.rasa.tracker(turn.conversation_id)
            except RasaUnavailable as exc:
                log.warning("conversation %s: tracker unavailable (%s)", turn.conversation_id,
                            exc)
                return None
            found = replies_in_tracker(tracker, turn.message_id)
            if found is not None:
                log.info("conversation %s: the turn's replies were read from Rasa's tracker",
                         turn.conversation_id)
                return found
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            await asyncio.sleep(min(TRACKER_POLL, left))

    async def _unpaused(self, turn: Turn) -> BotReplies | None:
        """Rasa answered nothing. Paused: what the turn that paused it said, and the handoff it
        asked for (or one from here); None otherwise (a failure like Rasa being down)."""
        try:
            paused = pausing_turn(await self.rasa.tracker(turn.conversation_id))
        except RasaUnavailable as exc:
            log.warning("conversation %s: tracker unavailable (%s)", turn.conversation_id, exc)
            return None
        if paused is None:
            log.warning("conversation %s: the assistant answered nothing", turn.conversation_id)
            return None
        log.warning("conversation %s: the assistant is paused by a turn the gateway never saw; "
                    "handing off", turn.conversation_id)
        if paused.handoff is not None:
            return paused
        reason = "requested" if turn.asks_for_a_person else "platform_unavailable"
        return BotReplies(paused.messages, HandoffRequest(reason, Priority.HIGH, bot_paused=True),
                          paused.review, paused.activities)

    def _store_replies(self, turn: Turn, replies: BotReplies, zone: tzinfo,
                       seen: Understood | None) -> Callable[[Session, ChangeSet], None]:
        def work(session: Session, changes: ChangeSet) -> None:
            conversation = tracked_turn_conversation(session, changes, turn)
            for line in replies.activities:  # what the actions did: for the console only
                changes.message(conversation, store.add_message(
                    session, conversation, Sender.BOT, line, kind=Kind.ACTIVITY))
            for reply in replies.messages:
                changes.message(conversation, store.add_message(
                    session, conversation, Sender.BOT, reply.text, buttons=reply.buttons,
                    private_only=reply.private_only))
            if replies.handoff is not None:
                self._hand_off(session, changes, conversation, replies.handoff, zone)
            missed = replies.review or (
                NOT_UNDERSTOOD if replies.handoff is not None
                and replies.handoff.reason == NOT_UNDERSTOOD else None)
            if missed in SOURCES:
                send_to_review(session, conversation.id, missed, turn.message_id)
            if seen is not None:  # else noted once the answer is out (_note_answer_later)
                self._note_answer(session, changes, conversation, replies, seen)

        return work

    def _without_the_bot(self, turn: Turn,
                         zone: tzinfo) -> Callable[[Session, ChangeSet], None]:
        """No answer from Rasa: the honest answer, or (a person was asked for) the handoff."""
        def work(session: Session, changes: ChangeSet) -> None:
            conversation = tracked_turn_conversation(session, changes, turn)
            if turn.asks_for_a_person:
                self._hand_off(session, changes, conversation, RASA_DOWN_HANDOFF, zone)
                return
            changes.message(conversation, store.add_message(
                session, conversation, Sender.BOT, texts.CANT_ANSWER,
                buttons=[texts.HUMAN_BUTTON]))

        return work

    def _hand_off(self, session: Session, changes: ChangeSet, conversation: Conversation,
                  request: HandoffRequest, zone: tzinfo) -> None:
        try:
            apply(session, changes, conversation, Trigger.HAND_OFF,
                  Context(self.clock(), request=request, hours=self.hours, zone=zone))
        except Refused as refused:  # with the team already: nothing more to do
            log.info("conversation %s: handoff not needed (%s)", conversation.id, refused.code)


def mark_identity_told(session: Session, conversation_id: str,
                       told: bool = True) -> None:
    """Rasa has (or, `told=False`, still hasn't) been told the conversation's identity."""
    conversation = store.get_conversation(session, conversation_id)
    if conversation is not None:
        conversation.rasa_identity_stale = not told


def _mark_resumed(conversation_id: str) -> Callable[[Session, ChangeSet], None]:
    def work(session: Session, _: ChangeSet) -> None:
        conversation = store.get_conversation(session, conversation_id)
        if conversation is not None:
            conversation.rasa_paused = False

    return work

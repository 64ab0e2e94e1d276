"""The handoff state machine: one table of (standing, trigger) → move or refusal, and the only code
that changes a conversation's mode.

A conversation's *mode* says who has it: the assistant (`bot`), the team's queue (`waiting`), an
agent (`agent`) or nobody (`resolved`). Who is asking matters in `agent` mode, so the table is keyed
by the *standing*: the mode as the actor sees it (`mine` / `others'` for an agent's conversation).

    apply(session, changes, conversation, Trigger.CLAIM, Context(now, actor=agent))

A `Move` names the mode after the trigger and its effects, in order: fields set on the
conversation (in one guarded UPDATE, so two replicas never both win), then activity lines for the
console and messages for the client. A `Refusal` is raised as `Refused` with a stable code.
"""
from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.core import feedback, texts
from bot.core.unit_of_work import ChangeSet
from bot.store import conversations as store
from bot.store import events
from bot.store.models import PRIORITY_RANK, Agent, Conversation, Kind, Mode, Priority, Sender
from envsettings.support_hours import SupportHours, describe, is_open

log = logging.getLogger("bot.core.handoff_states")

REASONS = ("requested", "safety", "not_understood", "platform_unavailable")
MAX_RACES = 3  # re-read and re-decide this often when another replica changed the row first


class Trigger(enum.StrEnum):
    HAND_OFF = "hand_off"            # the assistant (or the gateway, Rasa down) asks for a person
    CLAIM = "claim"                  # an agent takes a waiting conversation
    VIEW = "view"                    # an agent reads the transcript
    VIEW_ACCOUNT = "view_account"    # an agent reads the client's account (the context panel)
    REPLY = "reply"                  # an agent writes to the client, or a private note
    RESOLVE = "resolve"              # an agent closes the conversation
    HAND_BACK = "hand_back"          # an agent gives it back to the assistant
    CLIENT_WRITES = "client_writes"  # the client sends a message
    ESCALATE = "escalate"            # a client's message speaks of risk: a person, urgently
    LEAVE_QUEUE = "leave_queue"      # a waiting client goes back to the assistant


class Standing(enum.StrEnum):
    """The mode as the actor sees it."""

    BOT = "bot"
    WAITING = "waiting"
    MINE = "mine"          # agent mode, and the acting agent has it
    OTHERS = "others"      # agent mode, and someone else has it (or nobody acts: the client)
    RESOLVED = "resolved"


class Effect(enum.StrEnum):
    QUEUE = "queue"                    # reason, priority, waiting since now; nobody assigned
    ASSIGN = "assign"                  # the acting agent has it
    LEAVE_TEAM = "leave_team"          # no assignee, priority or waiting time; reason kept
    FORGET_REASON = "forget_reason"    # no handoff reason either (back with the assistant)
    BOT_RESUMED = "bot_resumed"        # Rasa has accepted `resume` for this conversation
    MAKE_URGENT = "make_urgent"        # with the team already: the request's reason, urgent
    LOG_HANDOFF = "log_handoff"        # activity lines (the console's transcript)
    LOG_CLAIM = "log_claim"
    LOG_RESOLVE = "log_resolve"
    LOG_HAND_BACK = "log_hand_back"
    LOG_REOPEN = "log_reopen"
    LOG_ESCALATE = "log_escalate"
    LOG_LEFT_QUEUE = "log_left_queue"
    TELL_QUEUED = "tell_queued"        # messages to the client
    TELL_AGENT_JOINED = "tell_agent_joined"
    TELL_RESOLVED = "tell_resolved"
    TELL_BACK_WITH_BOT = "tell_back_with_bot"
    ASK_RATING = "ask_rating"          # the one-question rating (bot/core/feedback.py)
    TELL_LEFT_QUEUE = "tell_left_queue"


class RefusalKind(enum.StrEnum):
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Move:
    to: Mode
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True)
class Refusal:
    kind: RefusalKind
    code: str
    message: str


class Refused(Exception):
    """A trigger the conversation's state doesn't allow; `code` is stable, `message` for people."""

    def __init__(self, kind: RefusalKind, code: str, message: str) -> None:
        super().__init__(code)
        self.kind, self.code, self.message = kind, code, message

    @classmethod
    def of(cls, refusal: Refusal) -> Refused:
        return cls(refusal.kind, refusal.code, refusal.message)


NO_SUCH_CONVERSATION = Refusal(RefusalKind.NOT_FOUND, "conversation_not_found",
                               "No such conversation.")
ALREADY_CLAIMED = Refusal(RefusalKind.CONFLICT, "already_claimed",
                          "Another agent has already claimed this conversation.")
NOT_WAITING = Refusal(RefusalKind.CONFLICT, "not_waiting",
                      "This conversation is not waiting for the team.")
NOT_CLAIMED = Refusal(RefusalKind.CONFLICT, "not_claimed", "Claim this conversation first.")
NOT_YOURS = Refusal(RefusalKind.FORBIDDEN, "not_yours", "Another agent has this conversation.")
NO_LONGER_WITH_TEAM = Refusal(RefusalKind.CONFLICT, "not_with_the_team",
                              "This conversation is not with the team any more.")
NOT_WITH_TEAM = Refusal(RefusalKind.FORBIDDEN, "not_with_the_team",
                        "This conversation is not with the team.")
ALREADY_WITH_TEAM = Refusal(RefusalKind.CONFLICT, "already_with_the_team",
                            "This conversation is with the team already.")
NOT_WITH_BOT = Refusal(RefusalKind.CONFLICT, "not_with_the_assistant",
                       "This conversation is closed; the client's next message reopens it.")
ACCOUNT_AFTER_CLAIM = Refusal(RefusalKind.FORBIDDEN, "claim_to_see_account",
                              "The client's account is shown only to the agent who claims the "
                              "conversation: claim it first.")

_B, _W, _M, _O, _R = (Standing.BOT, Standing.WAITING, Standing.MINE, Standing.OTHERS,
                      Standing.RESOLVED)
E = Effect

# Every (standing, trigger) pair, allowed or refused. A Move to the same mode without effects
# means "allowed, nothing changes" (an agent's repeated claim, a reply, the client writing).
TABLE: dict[tuple[Standing, Trigger], Move | Refusal] = {
    (_B, Trigger.HAND_OFF): Move(Mode.WAITING, (E.QUEUE, E.LOG_HANDOFF, E.TELL_QUEUED)),
    (_W, Trigger.HAND_OFF): ALREADY_WITH_TEAM,
    (_M, Trigger.HAND_OFF): ALREADY_WITH_TEAM,
    (_O, Trigger.HAND_OFF): ALREADY_WITH_TEAM,
    (_R, Trigger.HAND_OFF): NOT_WITH_BOT,

    (_B, Trigger.CLAIM): NOT_WAITING,
    (_W, Trigger.CLAIM): Move(Mode.AGENT, (E.ASSIGN, E.LOG_CLAIM, E.TELL_AGENT_JOINED)),
    (_M, Trigger.CLAIM): Move(Mode.AGENT),
    (_O, Trigger.CLAIM): ALREADY_CLAIMED,
    (_R, Trigger.CLAIM): NOT_WAITING,

    (_B, Trigger.VIEW): NOT_WITH_TEAM,
    (_W, Trigger.VIEW): Move(Mode.WAITING),
    (_M, Trigger.VIEW): Move(Mode.AGENT),
    (_O, Trigger.VIEW): NOT_YOURS,
    (_R, Trigger.VIEW): NOT_WITH_TEAM,

    # The client's account (credits, sessions, invoices) only for the agent helping them.
    (_B, Trigger.VIEW_ACCOUNT): NOT_WITH_TEAM,
    (_W, Trigger.VIEW_ACCOUNT): ACCOUNT_AFTER_CLAIM,
    (_M, Trigger.VIEW_ACCOUNT): Move(Mode.AGENT),
    (_O, Trigger.VIEW_ACCOUNT): NOT_YOURS,
    (_R, Trigger.VIEW_ACCOUNT): NOT_WITH_TEAM,

    (_B, Trigger.REPLY): NO_LONGER_WITH_TEAM,
    (_W, Trigger.REPLY): NOT_CLAIMED,
    (_M, Trigger.REPLY): Move(Mode.AGENT),
    (_O, Trigger.REPLY): NOT_YOURS,
    (_R, Trigger.REPLY): NO_LONGER_WITH_TEAM,

    (_B, Trigger.RESOLVE): NO_LONGER_WITH_TEAM,
    (_W, Trigger.RESOLVE): NOT_CLAIMED,
    (_M, Trigger.RESOLVE): Move(Mode.RESOLVED, (E.LEAVE_TEAM, E.LOG_RESOLVE, E.TELL_RESOLVED,
                                                E.ASK_RATING)),
    (_O, Trigger.RESOLVE): NOT_YOURS,
    (_R, Trigger.RESOLVE): NO_LONGER_WITH_TEAM,

    (_B, Trigger.HAND_BACK): NO_LONGER_WITH_TEAM,
    (_W, Trigger.HAND_BACK): NOT_CLAIMED,
    (_M, Trigger.HAND_BACK): Move(Mode.BOT, (E.LEAVE_TEAM, E.FORGET_REASON, E.BOT_RESUMED,
                                             E.LOG_HAND_BACK, E.TELL_BACK_WITH_BOT,
                                             E.ASK_RATING)),
    (_O, Trigger.HAND_BACK): NOT_YOURS,
    (_R, Trigger.HAND_BACK): NO_LONGER_WITH_TEAM,

    (_B, Trigger.CLIENT_WRITES): Move(Mode.BOT),
    (_W, Trigger.CLIENT_WRITES): Move(Mode.WAITING),
    (_M, Trigger.CLIENT_WRITES): Move(Mode.AGENT),
    (_O, Trigger.CLIENT_WRITES): Move(Mode.AGENT),
    (_R, Trigger.CLIENT_WRITES): Move(Mode.BOT, (E.LEAVE_TEAM, E.FORGET_REASON, E.LOG_REOPEN)),

    # Risk in a client's message (bot/core/safety.py): to the team if it isn't there, and urgent.
    # The queue position is told again while waiting (urgent goes ahead of the rest).
    (_B, Trigger.ESCALATE): Move(Mode.WAITING, (E.QUEUE, E.LOG_HANDOFF, E.TELL_QUEUED)),
    (_W, Trigger.ESCALATE): Move(Mode.WAITING, (E.MAKE_URGENT, E.LOG_ESCALATE, E.TELL_QUEUED)),
    (_M, Trigger.ESCALATE): Move(Mode.AGENT, (E.MAKE_URGENT, E.LOG_ESCALATE)),
    (_O, Trigger.ESCALATE): Move(Mode.AGENT, (E.MAKE_URGENT, E.LOG_ESCALATE)),
    (_R, Trigger.ESCALATE): Move(Mode.WAITING, (E.QUEUE, E.LOG_HANDOFF, E.TELL_QUEUED)),

    # A waiting client changes their mind ("never mind", *Back to the assistant*; after a safety
    # handoff only once they said they are safe: bot/core/leave_queue.py). Rasa is still paused:
    # the next bot turn resumes it. Once an agent has it, the client talks to the agent.
    (_B, Trigger.LEAVE_QUEUE): NOT_WAITING,
    (_W, Trigger.LEAVE_QUEUE): Move(Mode.BOT, (E.LEAVE_TEAM, E.FORGET_REASON, E.LOG_LEFT_QUEUE,
                                               E.TELL_LEFT_QUEUE)),
    (_M, Trigger.LEAVE_QUEUE): NOT_WAITING,
    (_O, Trigger.LEAVE_QUEUE): NOT_WAITING,
    (_R, Trigger.LEAVE_QUEUE): NOT_WAITING,
}


@dataclass(frozen=True)
class HandoffRequest:
    """Why the conversation goes to a person, how urgently, and whether Rasa paused itself."""

    reason: str
    priority: Priority
    bot_paused: bool = False

    @classmethod
    def from_payload(cls, raw: object) -> HandoffRequest:
        """From an action's `{"handoff": {"reason", "priority"}}` (the action also paused Rasa).

        Unknown values become safe ones; a safety handoff is always urgent.
        """
        fields: dict[str, Any] = raw if isinstance(raw, dict) else {}
        reason = fields.get("reason")
        reason = reason if reason in REASONS else "requested"
        try:
            priority = Priority(str(fields.get("priority")))
        except ValueError:
            priority = Priority.NORMAL
        if reason == "safety":
            priority = Priority.URGENT
        return cls(str(reason), priority, bot_paused=True)


@dataclass(frozen=True)
class Context:
    """Who acts, when, and what the effects need to know."""

    now: datetime
    actor: Agent | None = None
    request: HandoffRequest | None = None
    hours: SupportHours | None = None
    zone: tzinfo = UTC  # the client's, for the hours told out of them (`zone_if_closed`)


# A client's time zone from the platform (bot/core/client_account.py `ClientBook.zone_of`).
ZoneLookup = Callable[[str], Awaitable[tzinfo]]


async def zone_if_closed(hours: SupportHours, now: datetime, client_id: str | None,
                         zones: ZoneLookup | None) -> tzinfo:
    """The client's zone when a handoff now would tell them the team's hours (out of them); UTC
    otherwise, or signed out, or without a way to ask the platform (asked only then)."""
    if client_id is None or zones is None or is_open(hours, now):
        return UTC
    return await zones(client_id)


def standing_of(conversation: Conversation, actor: Agent | None) -> Standing:
    if conversation.mode != Mode.AGENT:
        return Standing(conversation.mode.value)
    mine = actor is not None and conversation.assignee_agent_id == actor.id
    return Standing.MINE if mine else Standing.OTHERS


def decide(conversation: Conversation, trigger: Trigger, actor: Agent | None = None) -> Move:
    """The move the table allows for this trigger now, or `Refused`."""
    outcome = TABLE[(standing_of(conversation, actor), trigger)]
    if isinstance(outcome, Refusal):
        raise Refused.of(outcome)
    return outcome


def apply(session: Session, changes: ChangeSet, conversation: Conversation, trigger: Trigger,
          context: Context) -> bool:
    """Make the move the table allows, with its effects, in the caller's transaction.

    True if the conversation changed. The fields change in one UPDATE guarded by the mode and the
    assignee it was decided on: if another replica changed the row first, re-read and decide
    again (which then refuses, or finds nothing left to do).
    """
    changes.track(conversation)
    for _ in range(MAX_RACES):
        move = decide(conversation, trigger, context.actor)
        if move.to == conversation.mode and not move.effects:
            return False
        if _guarded_update(session, conversation, move, context):
            break
        session.refresh(conversation)
    else:
        raise Refused(RefusalKind.CONFLICT, "busy", "The conversation is changing; try again.")
    session.refresh(conversation)
    for effect in move.effects:
        _say(session, changes, conversation, effect, context)
        _record(session, conversation, effect, context)
    log.info("conversation %s: %s -> %s", conversation.id, trigger.value, move.to.value)
    return True


def _guarded_update(session: Session, conversation: Conversation, move: Move,
                    context: Context) -> bool:
    # Any move ends an agent's following of a conversation they handed back (AgentDesk._move
    # starts it again after a hand-back).
    values: dict[str, Any] = {"mode": move.to, "updated_at": context.now,
                              "watching_agent_id": None}
    for effect in move.effects:
        values.update(_fields(effect, context))
    assignee = Conversation.assignee_agent_id
    same_assignee = (assignee.is_(None) if conversation.assignee_agent_id is None
                     else assignee == conversation.assignee_agent_id)
    result = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.mode == conversation.mode,
               same_assignee)
        .values(**values)
        .execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0) == 1)


def _fields(effect: Effect, context: Context) -> dict[str, Any]:
    """The conversation's columns an effect sets."""
    if effect == Effect.QUEUE:
        request = _required(context.request, effect)
        queued = {"handoff_reason": request.reason, "priority": request.priority,
                  "priority_rank": PRIORITY_RANK[request.priority],
                  "waiting_since": context.now, "assignee_agent_id": None}
        # Only ever set here: a Rasa still paused from before stays marked until it is resumed.
        return {**queued, "rasa_paused": True} if request.bot_paused else queued
    if effect == Effect.MAKE_URGENT:  # never lowers: escalating is always to urgent
        return {"handoff_reason": _required(context.request, effect).reason,
                "priority": Priority.URGENT, "priority_rank": PRIORITY_RANK[Priority.URGENT]}
    if effect == Effect.ASSIGN:
        return {"assignee_agent_id": _required(context.actor, effect).id}
    if effect == Effect.LEAVE_TEAM:
        return {"assignee_agent_id": None, "priority": None, "priority_rank": None,
                "waiting_since": None}
    if effect == Effect.FORGET_REASON:
        return {"handoff_reason": None}
    if effect == Effect.BOT_RESUMED:
        return {"rasa_paused": False}
    return {}


def _say(session: Session, changes: ChangeSet, conversation: Conversation, effect: Effect,
         context: Context) -> None:
    """The transcript lines an effect adds: activity for the console, messages for the client."""
    activity = _activity_text(effect, context)
    if activity is not None:
        changes.message(conversation, store.add_message(
            session, conversation, Sender.SYSTEM, activity, kind=Kind.ACTIVITY))
        return
    if effect == Effect.ASK_RATING:
        if not conversation.shared:  # in a group or channel anyone could rate: private only
            feedback.ask_for_a_rating(session, changes, conversation)
        return
    told = _client_text(session, conversation, effect, context)
    if told is not None:
        # The queue position comes with the way out of the queue (a button on every channel).
        buttons = [texts.BACK_BUTTON] if effect == Effect.TELL_QUEUED else []
        changes.message(conversation, store.add_message(session, conversation, Sender.SYSTEM,
                                                        told, buttons=buttons))


def _record(session: Session, conversation: Conversation, effect: Effect,
            context: Context) -> None:
    """The report's event for an effect (bot/store/events.py), as it happens."""
    if effect in (Effect.QUEUE, Effect.MAKE_URGENT):
        events.record(session, conversation.id, events.HANDOFF, at=context.now,
                      reason=_required(context.request, effect).reason)
    elif effect == Effect.LOG_RESOLVE:
        events.record(session, conversation.id, events.RESOLVED, at=context.now)
    elif effect == Effect.LOG_HAND_BACK:
        events.record(session, conversation.id, events.HANDED_BACK, at=context.now)


def _activity_text(effect: Effect, context: Context) -> str | None:
    if effect == Effect.LOG_HANDOFF:
        request = _required(context.request, effect)
        return texts.ACTIVITY_HANDOFF.format(reason=texts.reason_words(request.reason),
                                             priority=request.priority.value)
    if effect == Effect.LOG_ESCALATE:
        reason = _required(context.request, effect).reason
        return texts.ACTIVITY_ESCALATED.format(reason=texts.reason_words(reason))
    agent = context.actor.name if context.actor is not None else ""
    return {
        Effect.LOG_CLAIM: texts.ACTIVITY_CLAIMED.format(agent=agent),
        Effect.LOG_RESOLVE: texts.ACTIVITY_RESOLVED.format(agent=agent),
        Effect.LOG_HAND_BACK: texts.ACTIVITY_HANDBACK.format(agent=agent),
        Effect.LOG_REOPEN: texts.ACTIVITY_REOPENED,
        Effect.LOG_LEFT_QUEUE: texts.ACTIVITY_LEFT_QUEUE,
    }.get(effect)


def _client_text(session: Session, conversation: Conversation, effect: Effect,
                 context: Context) -> str | None:
    if effect == Effect.TELL_QUEUED:
        hours = _required(context.hours, effect)
        if is_open(hours, context.now):
            return texts.queued(store.queue_position(session, conversation))
        return texts.out_of_hours(describe(hours, context.zone, context.now))
    if effect == Effect.TELL_AGENT_JOINED:
        return texts.agent_joined(_required(context.actor, effect).name)
    return {Effect.TELL_RESOLVED: texts.RESOLVED,
            Effect.TELL_BACK_WITH_BOT: texts.BACK_WITH_BOT,
            Effect.TELL_LEFT_QUEUE: texts.LEFT_QUEUE}.get(effect)


def _required[T](value: T | None, effect: Effect) -> T:
    if value is None:
        raise ValueError(f"effect {effect.value} needs its context")
    return value

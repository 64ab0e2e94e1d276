"""The handoff state machine, as a table: every allowed move with its effects, every refusal with
its code, driven against a real (SQLite) store."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from bot.core import texts
from bot.core.handoff_states import (
    TABLE,
    Context,
    HandoffRequest,
    RefusalKind,
    Refused,
    Standing,
    Trigger,
    apply,
    decide,
)
from bot.core.unit_of_work import ChangeSet
from bot.store import conversations as store
from bot.store.db import Database
from bot.store.models import Agent, Conversation, Kind, Mode, Priority, Sender
from envsettings.support_hours import SupportHours

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, in the team's hours
OPEN = SupportHours(open_hour=9, close_hour=17, days=(0, 1, 2, 3, 4))
REQUEST = HandoffRequest("safety", Priority.URGENT, bot_paused=True)

# The specification: (standing, trigger) -> the mode after it, or the refusal (kind, code).
ALLOWED: dict[tuple[Standing, Trigger], Mode] = {
    (Standing.BOT, Trigger.HAND_OFF): Mode.WAITING,
    (Standing.WAITING, Trigger.CLAIM): Mode.AGENT,
    (Standing.MINE, Trigger.CLAIM): Mode.AGENT,
    (Standing.WAITING, Trigger.VIEW): Mode.WAITING,
    (Standing.MINE, Trigger.VIEW): Mode.AGENT,
    (Standing.MINE, Trigger.VIEW_ACCOUNT): Mode.AGENT,
    (Standing.MINE, Trigger.REPLY): Mode.AGENT,
    (Standing.MINE, Trigger.RESOLVE): Mode.RESOLVED,
    (Standing.MINE, Trigger.HAND_BACK): Mode.BOT,
    (Standing.BOT, Trigger.CLIENT_WRITES): Mode.BOT,
    (Standing.WAITING, Trigger.CLIENT_WRITES): Mode.WAITING,
    (Standing.MINE, Trigger.CLIENT_WRITES): Mode.AGENT,
    (Standing.OTHERS, Trigger.CLIENT_WRITES): Mode.AGENT,
    (Standing.RESOLVED, Trigger.CLIENT_WRITES): Mode.BOT,
    (Standing.BOT, Trigger.ESCALATE): Mode.WAITING,
    (Standing.WAITING, Trigger.ESCALATE): Mode.WAITING,
    (Standing.MINE, Trigger.ESCALATE): Mode.AGENT,
    (Standing.OTHERS, Trigger.ESCALATE): Mode.AGENT,
    (Standing.RESOLVED, Trigger.ESCALATE): Mode.WAITING,
    (Standing.WAITING, Trigger.LEAVE_QUEUE): Mode.BOT,
}
CONFLICT, FORBIDDEN = RefusalKind.CONFLICT, RefusalKind.FORBIDDEN
REFUSED: dict[tuple[Standing, Trigger], tuple[RefusalKind, str]] = {
    (Standing.WAITING, Trigger.HAND_OFF): (CONFLICT, "already_with_the_team"),
    (Standing.MINE, Trigger.HAND_OFF): (CONFLICT, "already_with_the_team"),
    (Standing.OTHERS, Trigger.HAND_OFF): (CONFLICT, "already_with_the_team"),
    (Standing.RESOLVED, Trigger.HAND_OFF): (CONFLICT, "not_with_the_assistant"),
    (Standing.BOT, Trigger.CLAIM): (CONFLICT, "not_waiting"),
    (Standing.OTHERS, Trigger.CLAIM): (CONFLICT, "already_claimed"),
    (Standing.RESOLVED, Trigger.CLAIM): (CONFLICT, "not_waiting"),
    (Standing.BOT, Trigger.VIEW): (FORBIDDEN, "not_with_the_team"),
    (Standing.OTHERS, Trigger.VIEW): (FORBIDDEN, "not_yours"),
    (Standing.RESOLVED, Trigger.VIEW): (FORBIDDEN, "not_with_the_team"),
    # The client's account is for the agent who claimed the conversation, not the whole queue.
    (Standing.BOT, Trigger.VIEW_ACCOUNT): (FORBIDDEN, "not_with_the_team"),
    (Standing.WAITING, Trigger.VIEW_ACCOUNT): (FORBIDDEN, "claim_to_see_account"),
    (Standing.OTHERS, Trigger.VIEW_ACCOUNT): (FORBIDDEN, "not_yours"),
    (Standing.RESOLVED, Trigger.VIEW_ACCOUNT): (FORBIDDEN, "not_with_the_team"),
    **{(standing, trigger): refusal
       for trigger in (Trigger.REPLY, Trigger.RESOLVE, Trigger.HAND_BACK)
       for standing, refusal in (
           (Standing.BOT, (CONFLICT, "not_with_the_team")),
           (Standing.WAITING, (CONFLICT, "not_claimed")),
           (Standing.OTHERS, (FORBIDDEN, "not_yours")),
           (Standing.RESOLVED, (CONFLICT, "not_with_the_team")))},
    # Only a waiting client leaves the queue; with an agent, the words are for the agent.
    **{(standing, Trigger.LEAVE_QUEUE): (CONFLICT, "not_waiting")
       for standing in (Standing.BOT, Standing.MINE, Standing.OTHERS, Standing.RESOLVED)},
}


def _agents(session: Session) -> tuple[Agent, Agent]:
    me = Agent(email="me@support.example", name="Sam", password_hash="x")
    other = Agent(email="other@support.example", name="Kim", password_hash="x")
    session.add_all([me, other])
    session.flush()
    return me, other


def _in_standing(session: Session, standing: Standing, me: Agent, other: Agent) -> Conversation:
    conversation, _ = store.create_conversation(session, "widget", "c-ben")
    if standing != Standing.BOT:
        conversation.mode = {Standing.WAITING: Mode.WAITING, Standing.MINE: Mode.AGENT,
                             Standing.OTHERS: Mode.AGENT,
                             Standing.RESOLVED: Mode.RESOLVED}[standing]
        conversation.handoff_reason, conversation.priority = "requested", Priority.HIGH
        conversation.priority_rank, conversation.waiting_since = 1, NOW
        if standing == Standing.MINE:
            conversation.assignee_agent_id = me.id
        elif standing == Standing.OTHERS:
            conversation.assignee_agent_id = other.id
    session.flush()
    session.refresh(conversation)
    return conversation


def _attempt(db: Database, standing: Standing, trigger: Trigger
             ) -> tuple[Conversation, list[tuple[Sender, Kind, str]], Agent]:
    def work(session: Session) -> tuple[Conversation, list[tuple[Sender, Kind, str]], Agent]:
        me, other = _agents(session)
        conversation = _in_standing(session, standing, me, other)
        acting = (None if trigger in (Trigger.HAND_OFF, Trigger.CLIENT_WRITES, Trigger.ESCALATE,
                                      Trigger.LEAVE_QUEUE)
                  else me)
        apply(session, ChangeSet(), conversation, trigger,
              Context(NOW, actor=acting, request=REQUEST, hours=OPEN))
        said = [(m.sender, m.kind, m.text) for m in store.messages_after(
            session, conversation.id, client_visible_only=False)]
        return conversation, said, me

    return db.run_sync(work)


def test_the_table_covers_every_standing_and_trigger():
    """No pair is left to chance: each is either a move or a refusal."""
    assert set(TABLE) == {(s, t) for s in Standing for t in Trigger}
    assert set(ALLOWED) | set(REFUSED) == set(TABLE)


@pytest.mark.parametrize("standing, trigger", sorted(ALLOWED))
def test_an_allowed_trigger_moves_to_its_mode(db, standing, trigger):
    """The conversation ends in the mode the specification says."""
    conversation, _, _ = _attempt(db, standing, trigger)
    assert conversation.mode == ALLOWED[(standing, trigger)]


@pytest.mark.parametrize("standing, trigger", sorted(REFUSED))
def test_a_refused_trigger_raises_its_code_and_changes_nothing(db, standing, trigger):
    """The refusal names its stable code and kind (the console turns it into a status)."""
    with pytest.raises(Refused) as refused:
        _attempt(db, standing, trigger)
    assert (refused.value.kind, refused.value.code) == REFUSED[(standing, trigger)]


def test_a_refusal_rolls_back(db):
    """Nothing of a refused trigger is stored (the caller's transaction is rolled back)."""
    with pytest.raises(Refused):
        _attempt(db, Standing.OTHERS, Trigger.CLAIM)
    assert db.run_sync(lambda s: s.query(Conversation).count()) == 0


def test_hand_off_queues_with_reason_priority_and_tells_the_client(db):
    """Reason, priority and waiting time are set, Rasa is marked paused; an activity line for the
    console and the queue position for the client."""
    conversation, said, _ = _attempt(db, Standing.BOT, Trigger.HAND_OFF)
    assert (conversation.handoff_reason, conversation.priority) == ("safety", Priority.URGENT)
    assert conversation.priority_rank == 0 and conversation.waiting_since is not None
    assert conversation.rasa_paused is True and conversation.assignee_agent_id is None
    assert said[0][:2] == (Sender.SYSTEM, Kind.ACTIVITY) and "safety" in said[0][2]
    assert said[1][:2] == (Sender.SYSTEM, Kind.TEXT) and "next in the queue" in said[1][2]


def test_hand_off_out_of_hours_asks_for_an_email_address(db):
    def work(session: Session) -> str:
        conversation, _ = store.create_conversation(session, "widget", None)
        closed = SupportHours(open_hour=9, close_hour=17, days=())
        apply(session, ChangeSet(), conversation, Trigger.HAND_OFF,
              Context(NOW, request=REQUEST, hours=closed))
        return store.messages_after(session, conversation.id)[-1].text

    assert "e-mail address" in db.run_sync(work)


def test_claim_assigns_the_agent_and_says_who_joined(db):
    conversation, said, me = _attempt(db, Standing.WAITING, Trigger.CLAIM)
    assert conversation.assignee_agent_id == me.id
    assert [text for _, kind, text in said] == [
        "Claimed by Sam.", "Sam from the Customer Success team has joined the conversation."]


def test_resolve_leaves_the_team_but_keeps_the_reason(db):
    conversation, said, _ = _attempt(db, Standing.MINE, Trigger.RESOLVE)
    assert conversation.assignee_agent_id is None and conversation.priority is None
    assert conversation.handoff_reason == "requested"
    assert said[0][2] == "Resolved by Sam." and "closed this conversation" in said[1][2]


def test_hand_back_returns_to_the_bot_resumed_and_forgets_the_handoff(db):
    conversation, said, _ = _attempt(db, Standing.MINE, Trigger.HAND_BACK)
    assert conversation.handoff_reason is None and conversation.waiting_since is None
    assert conversation.rasa_paused is False and conversation.assignee_agent_id is None
    assert said[1][2] == "You're back with the assistant. Ask me anything."


def test_a_client_message_reopens_a_resolved_conversation_with_an_activity_line(db):
    conversation, said, _ = _attempt(db, Standing.RESOLVED, Trigger.CLIENT_WRITES)
    assert conversation.handoff_reason is None
    assert said == [(Sender.SYSTEM, Kind.ACTIVITY, "Reopened by the client.")]


@pytest.mark.parametrize("standing", [Standing.BOT, Standing.WAITING, Standing.OTHERS])
def test_a_client_message_changes_nothing_elsewhere(db, standing):
    _, said, _ = _attempt(db, standing, Trigger.CLIENT_WRITES)
    assert said == []


def test_a_claim_decided_on_stale_state_loses_the_race(db):
    """Two replicas: the row changed after this one read it, so the guarded update misses and
    the decision is taken again on the fresh row (already claimed)."""
    def work(session: Session) -> None:
        me, other = _agents(session)
        conversation = _in_standing(session, Standing.WAITING, me, other)
        session.execute(Conversation.__table__.update()
                        .where(Conversation.id == conversation.id)
                        .values(mode=Mode.AGENT, assignee_agent_id=other.id))
        assert conversation.mode == Mode.WAITING  # the stale copy this replica decides on
        apply(session, ChangeSet(), conversation, Trigger.CLAIM, Context(NOW, actor=me))

    with pytest.raises(Refused) as refused:
        db.run_sync(work)
    assert refused.value.code == "already_claimed"


def test_decide_refuses_without_touching_the_store(db):
    """The guard alone (used before calling Rasa, for example)."""
    def work(session: Session) -> None:
        me, other = _agents(session)
        decide(_in_standing(session, Standing.WAITING, me, other), Trigger.HAND_BACK, me)

    with pytest.raises(Refused) as refused:
        db.run_sync(work)
    assert refused.value.code == "not_claimed"


# --- escalate: a client's message speaks of risk ------------------------------------------------

def test_escalate_queues_a_conversation_with_the_assistant_urgently(db):
    """bot → waiting, the same move as a handoff: reason safety, urgent, the queue position."""
    conversation, said, _ = _attempt(db, Standing.BOT, Trigger.ESCALATE)
    assert (conversation.handoff_reason, conversation.priority) == ("safety", Priority.URGENT)
    assert conversation.priority_rank == 0 and conversation.rasa_paused is True
    assert said[0] == (Sender.SYSTEM, Kind.ACTIVITY,
                       "Handed to the team: safety, may be at risk, priority urgent.")
    assert said[1][:2] == (Sender.SYSTEM, Kind.TEXT) and "next in the queue" in said[1][2]


def test_escalate_makes_a_waiting_conversation_urgent_and_retells_its_place(db):
    """waiting (requested, high) → waiting (safety, urgent); it keeps how long it has waited;
    the console gets an activity line and the client their new place in the queue."""
    conversation, said, _ = _attempt(db, Standing.WAITING, Trigger.ESCALATE)
    assert (conversation.handoff_reason, conversation.priority) == ("safety", Priority.URGENT)
    assert conversation.priority_rank == 0 and conversation.waiting_since is not None
    assert said[0][:2] == (Sender.SYSTEM, Kind.ACTIVITY) and "urgent" in said[0][2]
    assert said[1][:2] == (Sender.SYSTEM, Kind.TEXT) and "in the queue" in said[1][2]


@pytest.mark.parametrize("standing", [Standing.MINE, Standing.OTHERS])
def test_escalate_makes_an_agents_conversation_urgent_and_keeps_the_agent(db, standing):
    """agent → agent, urgent; the agent keeps it; only the console hears (activity line)."""
    conversation, said, me = _attempt(db, standing, Trigger.ESCALATE)
    assert conversation.priority == Priority.URGENT and conversation.handoff_reason == "safety"
    mine = conversation.assignee_agent_id == me.id
    assert conversation.assignee_agent_id is not None and mine is (standing == Standing.MINE)
    assert [(sender, kind) for sender, kind, _ in said] == [(Sender.SYSTEM, Kind.ACTIVITY)]


def test_escalate_puts_the_conversation_ahead_of_older_ones_in_the_queue(db):
    """Urgent goes before high however long the others have waited: the place told is first."""
    def work(session: Session) -> tuple[str, int]:
        older, _ = store.create_conversation(session, "widget", None)
        mine, _ = store.create_conversation(session, "widget", None)
        for position, conversation in enumerate((older, mine)):
            conversation.mode, conversation.handoff_reason = Mode.WAITING, "requested"
            conversation.priority, conversation.priority_rank = Priority.HIGH, 1
            conversation.waiting_since = NOW.replace(minute=position)
        session.flush()
        before = store.queue_position(session, mine)
        apply(session, ChangeSet(), mine, Trigger.ESCALATE,
              Context(NOW, request=REQUEST, hours=OPEN))
        return store.messages_after(session, mine.id)[-1].text, before

    told, before = db.run_sync(work)
    assert before == 2 and "You're next in the queue" in told


def test_leave_queue_goes_back_to_the_bot_still_paused_and_says_so(db):
    """The client leaves the queue: no assignee, priority, waiting time or reason; Rasa stays
    marked paused (the next bot turn resumes it); the console's activity line and the client's
    "back with the assistant"."""
    conversation, said, _ = _attempt(db, Standing.WAITING, Trigger.LEAVE_QUEUE)
    assert conversation.handoff_reason is None and conversation.waiting_since is None
    assert conversation.priority is None and conversation.assignee_agent_id is None
    assert [(kind, text) for _, kind, text in said] == [
        (Kind.ACTIVITY, "The client left the queue and went back to the assistant."),
        (Kind.TEXT, texts.LEFT_QUEUE)]


def test_the_queue_position_comes_with_a_way_back_to_the_assistant(db):
    """Told their place in the queue, the client also gets the *Back to the assistant* button."""
    def work(session: Session) -> list[dict[str, str]]:
        conversation, _ = store.create_conversation(session, "widget", None)
        apply(session, ChangeSet(), conversation, Trigger.HAND_OFF,
              Context(NOW, request=REQUEST, hours=OPEN))
        return list(store.messages_after(session, conversation.id)[-1].buttons)

    assert db.run_sync(work) == [{"title": "Back to the assistant", "payload": "/leave_queue"}]

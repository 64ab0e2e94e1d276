"""The team's report (/console/insights), computed from the store: the conversations whose first
client message falls in a period (optionally on one channel), their events (bot/store/events.py)
and their messages. Three queries per report, the same SQL on SQLite and PostgreSQL; the figures
are then counted here. Every figure says its group (how many conversations it is about); one of a
group smaller than `MIN_GROUP` is withheld (`value` None).

Definitions (README, "The team's report"):
- conversations: with at least one message from the client in the period.
- involvement: share of them the assistant answered at least once (an `answered` event).
- resolution rate: share of the involved ones the assistant resolved: never handed to a person,
  and either the client's last feedback was "That helped", or (no "I need more help") the
  client wrote nothing after the assistant's last answer, which is at least `resolution_window`
  old.
- handoff rate, by reason: share of conversations handed to a person (for that reason).
- fallback rate: share of the involved conversations with an answer that fell to the fallback
  or out of scope.
- time to first agent reply: from the first handoff to the first agent's reply.
- time to resolution: from the client's first message to the resolution (an agent's *Resolve*,
  or the assistant's resolving answer or "That helped").
- CSAT: share of rated conversations rated 4 or 5 (their last rating); and the average rating.
- topics: help topics and account questions the assistant answered, by conversations, each with
  its resolution and fallback rate.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import mean

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from bot.store import events
from bot.store.models import Conversation, ConversationEvent, Kind, Message, Sender, utc

MIN_GROUP = 5
FEEDBACK_PAYLOADS = ("/feedback", "/rate")  # clicks on the report's own questions
FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
NOT_TOPICS = frozenset({"greet", "goodbye", "thank", "affirm", "deny", "stop", "inform",
                        "bot_challenge", "request_human", "self_harm", "card_number_shared",
                        "faq", "change_booking"}) | FALLBACK_INTENTS
REASONS = ("requested", "safety", "not_understood", "platform_unavailable")


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive, UTC
    end: datetime    # exclusive, UTC
    channel: str | None = None


@dataclass(frozen=True)
class Figure:
    """A figure about `group` conversations; `value` None when the group is under MIN_GROUP."""

    value: float | None
    group: int

    @classmethod
    def of(cls, value: float | None, group: int) -> Figure:
        return cls(value if group >= MIN_GROUP else None, group)


@dataclass
class Facts:
    """What the report needs to know of one conversation."""

    id: str
    channel: str
    started: datetime
    answers: list[datetime] = field(default_factory=list)
    topics: set[str] = field(default_factory=set)
    fallback: bool = False
    handoffs: list[tuple[datetime, str]] = field(default_factory=list)
    agent_resolved: datetime | None = None
    feedback: list[tuple[datetime, int]] = field(default_factory=list)
    rating: int | None = None
    client_messages: list[datetime] = field(default_factory=list)
    first_agent_reply: datetime | None = None

    @property
    def involved(self) -> bool:
        return bool(self.answers)

    def assistant_resolved(self, now: datetime, window: timedelta) -> datetime | None:
        """When the assistant resolved it (see the module's definition), or None."""
        if not self.answers or self.handoffs:
            return None
        if self.feedback:
            at, helped = self.feedback[-1]
            if helped == 1:
                return at
            return None
        last = self.answers[-1]
        if any(m > last for m in self.client_messages) or now - last < window:
            return None
        return last

    def resolved_at(self, now: datetime, window: timedelta) -> datetime | None:
        return self.agent_resolved or self.assistant_resolved(now, window)


@dataclass(frozen=True)
class TopicRow:
    topic: str
    conversations: int
    resolution: Figure
    fallback: Figure


@dataclass(frozen=True)
class DayRow:
    day: date
    conversations: int
    resolution: Figure


@dataclass(frozen=True)
class Report:
    period: Period
    conversations: int
    involvement: Figure
    resolution: Figure
    handoff: Figure
    handoff_by_reason: dict[str, Figure]
    fallback: Figure
    first_agent_reply_seconds: Figure
    resolution_seconds: Figure
    csat: Figure
    average_rating: Figure
    helped: int
    more_help: int
    topics: list[TopicRow]
    days: list[DayRow]

    @property
    def too_few(self) -> bool:
        return self.conversations < MIN_GROUP


def _in_period(period: Period) -> Select[str, str, datetime]:
    """The conversations of the period: (id, channel, first client message)."""
    first = func.min(Message.created_at)
    query = (select(Conversation.id, Conversation.channel, first)
             .join(Message, and_(Message.conversation_id == Conversation.id,
                                 Message.sender == Sender.CLIENT))
             .where(Conversation.created_at < period.end)  # (its first message is later)
             .group_by(Conversation.id, Conversation.channel)
             .having(and_(first >= period.start, first < period.end)))
    if period.channel:
        query = query.where(Conversation.channel == period.channel)
    return query


def collect(session: Session, period: Period) -> dict[str, Facts]:
    """Each conversation of the period, with its events and message times (three queries)."""
    conversations = _in_period(period).subquery()
    facts = {cid: Facts(cid, channel, _utc(started))
             for cid, channel, started in session.execute(select(conversations))}
    ids = select(conversations.c.id)
    rows = session.execute(
        select(ConversationEvent.conversation_id, ConversationEvent.kind, ConversationEvent.at,
               ConversationEvent.intent, ConversationEvent.topic, ConversationEvent.reason,
               ConversationEvent.value)
        .where(ConversationEvent.conversation_id.in_(ids))
        .order_by(ConversationEvent.at, ConversationEvent.id))
    for cid, kind, raw_at, intent, topic, reason, value in rows:
        _add_event(facts[cid], kind, _utc(raw_at), intent, topic, reason, value)
    not_feedback = and_(*(func.coalesce(Message.payload, "").not_like(f"{p}%")
                          for p in FEEDBACK_PAYLOADS))
    messages = session.execute(
        select(Message.conversation_id, Message.sender, Message.created_at)
        .where(Message.conversation_id.in_(ids),
               or_(and_(Message.sender == Sender.CLIENT, not_feedback),
                   and_(Message.sender == Sender.AGENT, Message.kind == Kind.TEXT)))
        .order_by(Message.seq))
    for cid, sender, raw_at in messages:
        at = _utc(raw_at)
        if sender == Sender.CLIENT:
            facts[cid].client_messages.append(at)
        elif facts[cid].first_agent_reply is None:
            facts[cid].first_agent_reply = at
    return facts


def _add_event(fact: Facts, kind: str, at: datetime, intent: str | None, topic: str | None,
               reason: str | None, value: int | None) -> None:
    if kind == events.ANSWERED:
        fact.answers.append(at)
        if intent in FALLBACK_INTENTS:
            fact.fallback = True
        label = topic_of(intent, topic)
        if label is not None:
            fact.topics.add(label)
    elif kind == events.HANDOFF:
        fact.handoffs.append((at, reason or "requested"))
    elif kind == events.RESOLVED and fact.agent_resolved is None:
        fact.agent_resolved = at
    elif kind == events.FEEDBACK and value is not None:
        fact.feedback.append((at, value))
    elif kind == events.RATING and value is not None:
        fact.rating = value


def topic_of(intent: str | None, topic: str | None) -> str | None:
    """The topic an answer was about: its help topic (`faq/adding_card`), else its intent when
    it is a question (not a greeting, a fallback...); None otherwise."""
    if topic:
        return topic
    if intent and intent not in NOT_TOPICS:
        return intent
    return None


def report(session: Session, period: Period, now: datetime, resolution_window: timedelta,
           top: int = 10) -> Report:
    return build(period, list(collect(session, period).values()), now, resolution_window, top)


def _share(part: int, whole: int) -> Figure:
    return Figure.of(part / whole if whole else None, whole)


def _average(values: list[float]) -> Figure:
    return Figure.of(mean(values) if values else None, len(values))


def build(period: Period, facts: list[Facts], now: datetime, window: timedelta,
          top: int = 10) -> Report:
    """The figures of these conversations."""
    n = len(facts)
    involved = [f for f in facts if f.involved]
    resolved_by_bot = {f.id for f in involved if f.assistant_resolved(now, window)}
    handed = [f for f in facts if f.handoffs]
    replies = [(f.first_agent_reply - f.handoffs[0][0]).total_seconds() for f in handed
               if f.first_agent_reply is not None and f.first_agent_reply >= f.handoffs[0][0]]
    durations = []
    for fact in facts:
        resolved_at = fact.resolved_at(now, window)
        if resolved_at is not None:
            durations.append((resolved_at - fact.started).total_seconds())
    ratings = [f.rating for f in facts if f.rating is not None]
    by_reason = {reason: _share(sum(1 for f in facts if any(r == reason for _, r in f.handoffs)),
                                n) for reason in REASONS}
    feedback = [value for f in facts for _, value in f.feedback]
    return Report(
        period=period, conversations=n,
        involvement=_share(len(involved), n),
        resolution=_share(len(resolved_by_bot), len(involved)),
        handoff=_share(len(handed), n),
        handoff_by_reason=by_reason,
        fallback=_share(sum(1 for f in involved if f.fallback), len(involved)),
        first_agent_reply_seconds=_average(replies),
        resolution_seconds=_average(durations),
        csat=_share(sum(1 for r in ratings if r >= 4), len(ratings)),
        average_rating=_average([float(r) for r in ratings]),
        helped=sum(1 for v in feedback if v == 1), more_help=sum(1 for v in feedback if v == 0),
        topics=_topics(involved, resolved_by_bot, top),
        days=_days(period, facts, resolved_by_bot))


def _topics(involved: list[Facts], resolved: set[str], top: int) -> list[TopicRow]:
    counts = Counter(topic for f in involved for topic in f.topics)
    rows = []
    for topic, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]:
        with_topic = [f for f in involved if topic in f.topics]
        rows.append(TopicRow(topic, count,
                             _share(sum(1 for f in with_topic if f.id in resolved), count),
                             _share(sum(1 for f in with_topic if f.fallback), count)))
    return rows


def _days(period: Period, facts: list[Facts], resolved: set[str]) -> list[DayRow]:
    """Per UTC day of the period: conversations started, and the resolution rate of the involved
    ones among them."""
    by_day: dict[date, list[Facts]] = defaultdict(list)
    for fact in facts:
        by_day[fact.started.date()].append(fact)
    rows = []
    day, last = period.start.date(), (period.end - timedelta(microseconds=1)).date()
    while day <= last:
        started = by_day.get(day, [])
        involved = [f for f in started if f.involved]
        rows.append(DayRow(day, len(started),
                           _share(sum(1 for f in involved if f.id in resolved), len(involved))))
        day += timedelta(days=1)
    return rows


def _utc(value: datetime) -> datetime:
    moment = utc(value)
    assert moment is not None
    return moment

"""A seeded set of conversations with known report figures (tests/insights): 13 conversations
from 2026-11-01 to 2026-11-03 on three channels, and one after the period.

What each one did (minutes after its first message; an answer 1 s after the message):
- widget, 1 Nov, help topic faq/adding_card:
  A1-A3 "That helped" at 2 min (the click stored as a client message); A4 nothing more;
  A5 "I need more help", handoff (asked) at 2, agent reply at 5, resolved at 20, rated 5;
  A6 a second message at 1, answered as nlu_fallback, handoff (not understood) at 3, agent
  reply at 8, rated 2.
- slack, 2 Nov, account question ask_credits:
  B1, B2 "That helped" at 2, rated 5 and 3; B3 nothing more; B4 wrote again at 1 (no answer);
  B5 handoff (safety) at 1, agent reply at 2, resolved at 10, rated 4.
- telegram, 3 Nov: C1 answered out_of_scope, nothing more; C2 no answer, handoff (platform
  down) at 0.5, agent reply at 4.5.
- widget, 9 Nov: D1 (after the period).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from bot.store import conversations as store
from bot.store import events
from bot.store.models import Conversation, Kind, Sender

PERIOD_START = datetime(2026, 11, 1, tzinfo=UTC)
PERIOD_END = datetime(2026, 11, 8, tzinfo=UTC)  # exclusive: 1-7 Nov
NOW = datetime(2026, 11, 10, tzinfo=UTC)
ADDING_CARD = "faq/adding_card"


class _Chat:
    """One conversation, written with chosen times."""

    def __init__(self, session: Session, channel: str, start: datetime, name: str) -> None:
        self.session, self.start = session, start
        external = None if channel == "widget" else f"seed:{name}"
        self.conversation: Conversation = store.create_conversation(
            session, channel, None, external_id=external, now=start)[0]
        self.conversation.created_at = start

    def at(self, minutes: float) -> datetime:
        return self.start + timedelta(minutes=minutes)

    def client(self, minutes: float, text: str = "hello", payload: str | None = None) -> None:
        message = store.add_message(self.session, self.conversation, Sender.CLIENT, text,
                                    kind=Kind.BUTTON_CLICK if payload else Kind.TEXT,
                                    payload=payload)
        message.created_at, message.routed = self.at(minutes), True

    def agent(self, minutes: float) -> None:
        message = store.add_message(self.session, self.conversation, Sender.AGENT, "Hi, I'm Sam.")
        message.created_at = self.at(minutes)

    def answered(self, minutes: float, intent: str | None, topic: str | None = None) -> None:
        events.record(self.session, self.conversation.id, events.ANSWERED,
                      at=self.at(minutes + 1 / 60), intent=intent, topic=topic)

    def helped(self, minutes: float, value: int) -> None:
        ref = f"q{len(self.conversation.id)}{minutes}"
        self.client(minutes, "That helped" if value else "I need more help",
                    payload=f'/feedback{{"ref":"{ref}","helped":{"true" if value else "false"}}}')
        events.record(self.session, self.conversation.id, events.FEEDBACK, at=self.at(minutes),
                      value=value, ref=ref)

    def handoff(self, minutes: float, reason: str) -> None:
        events.record(self.session, self.conversation.id, events.HANDOFF, at=self.at(minutes),
                      reason=reason)

    def resolved(self, minutes: float) -> None:
        events.record(self.session, self.conversation.id, events.RESOLVED, at=self.at(minutes))

    def rated(self, minutes: float, score: int) -> None:
        events.record(self.session, self.conversation.id, events.RATING, at=self.at(minutes),
                      value=score, ref=f"r{minutes}")


def seed(session: Session) -> None:
    day1 = PERIOD_START + timedelta(hours=10)
    for n in range(1, 7):
        chat = _Chat(session, "widget", day1 + timedelta(minutes=30 * n), f"A{n}")
        chat.client(0, "how do I add a card?")
        chat.answered(0, "faq", ADDING_CARD)
        if n <= 3:
            chat.helped(2, 1)
        elif n == 5:
            chat.helped(1.5, 0)
            chat.handoff(2, "requested")
            chat.agent(5)
            chat.resolved(20)
            chat.rated(21, 5)
        elif n == 6:
            chat.client(1, "what?")
            chat.answered(1, "nlu_fallback")
            chat.handoff(3, "not_understood")
            chat.agent(8)
            chat.rated(9, 2)
    day2 = PERIOD_START + timedelta(days=1, hours=9)
    for n in range(1, 6):
        chat = _Chat(session, "slack", day2 + timedelta(minutes=30 * n), f"B{n}")
        chat.client(0, "how many credits do I have?")
        chat.answered(0, "ask_credits")
        if n in (1, 2):
            chat.helped(2, 1)
            chat.rated(3, 5 if n == 1 else 3)
        elif n == 4:
            chat.client(1, "and next year?")
        elif n == 5:
            chat.handoff(1, "safety")
            chat.agent(2)
            chat.resolved(10)
            chat.rated(11, 4)
    day3 = PERIOD_START + timedelta(days=2, hours=15)
    c1 = _Chat(session, "telegram", day3, "C1")
    c1.client(0, "what's the weather?")
    c1.answered(0, "out_of_scope")
    c2 = _Chat(session, "telegram", day3 + timedelta(hours=1), "C2")
    c2.client(0, "hello?")
    c2.handoff(0.5, "platform_unavailable")
    c2.agent(4.5)
    d1 = _Chat(session, "widget", PERIOD_START + timedelta(days=8), "D1")
    d1.client(0, "how do I add a card?")
    d1.answered(0, "faq", ADDING_CARD)
    session.flush()


DEMO_START = datetime(2026, 10, 12, tzinfo=UTC)
DEMO_DAYS = 14
DEMO_TOPICS = [("faq", "faq/adding_card"), ("ask_credits", None), ("faq", "faq/password_reset"),
               ("ask_upcoming_sessions", None), ("faq", "faq/failed_payment"),
               ("faq", "faq/credits_running_out"), ("ask_invoices", None),
               ("faq", "faq/cancellation_policy")]


def seed_demo(session: Session) -> None:
    """Two weeks of made-up conversations (12-25 Oct 2026) for the README's screenshot: a fixed
    pseudo-random mix of topics, feedback, fallbacks, handoffs and ratings."""
    import random

    pick = random.Random(12)
    channels = ["widget"] * 6 + ["slack"] * 2 + ["telegram"] * 2
    for day in range(DEMO_DAYS):
        for n in range(pick.randint(9, 22)):
            start = DEMO_START + timedelta(days=day, hours=8 + pick.random() * 9)
            chat = _Chat(session, pick.choice(channels), start, f"demo-{day}-{n}")
            chat.client(0, "a question")
            weights = [16, 12, 8, 7, 6, 5, 4, 3]
            intent_name, topic = pick.choices(DEMO_TOPICS, weights)[0]
            chat.answered(0, intent_name, topic)
            roll = pick.random()
            if roll < 0.42:
                chat.helped(1, 1)
                if pick.random() < 0.3:
                    chat.rated(2, pick.choice([4, 5, 5]))
            elif roll < 0.62:
                continue  # nothing more: resolved once the set time has passed
            elif roll < 0.74:
                chat.client(1, "what?")
                chat.answered(1, pick.choice(["nlu_fallback", "out_of_scope"]))
                if pick.random() < 0.5:
                    chat.handoff(2, "not_understood")
                    chat.agent(2 + pick.random() * 12)
                    chat.resolved(25)
            else:
                if pick.random() < 0.5:
                    chat.helped(1, 0)
                reason = pick.choices(["requested", "safety", "platform_unavailable"],
                                      [10, 1, 1])[0]
                chat.handoff(2, reason)
                chat.agent(2 + pick.random() * 15)
                chat.resolved(30 + pick.random() * 30)
                chat.rated(61, pick.choice([2, 3, 4, 4, 5, 5, 5]))
    session.flush()

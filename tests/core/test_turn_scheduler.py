"""The turn scheduler's routing leases, on a real store (SQLite file, PostgreSQL) with a fake Rasa
on a real port: two schedulers stand for two gateway replicas, a lease held by a name nobody
answers to stands for a killed one.

- A conversation another replica routes (a live lease) is left to it, also the message this
  replica has just stored: the holder routes it after its current turn, in order.
- A killed replica's conversations wait until its lease expires, then the next sweep routes them
  once; the message may have reached Rasa, so its tracker is read first.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.channels.widget import CHANNEL as WIDGET
from bot.channels.widget import WidgetDelivery
from bot.core.answering import Answering
from bot.core.bot_turn import BotTurn
from bot.core.channel_seam import Deliveries, InboundMessage
from bot.core.conversations import Conversations
from bot.core.intake import Intake
from bot.core.leave_queue import LeaveQueue
from bot.core.live_events import EventHub
from bot.core.out_of_hours import ContactEmailCapture
from bot.core.rasa_client import RasaClient
from bot.core.safety import SafetyFirst
from bot.core.turn import Turn
from bot.core.turn_end import AlreadyRouted
from bot.core.turn_scheduler import TurnScheduler
from bot.core.unit_of_work import UnitOfWork
from bot.store import conversations as store
from bot.store import routing
from bot.store.db import Database
from bot.store.migrate import upgrade_head
from bot.store.models import Message, Sender, now_utc
from envsettings.safety_contacts import SafetyContacts
from envsettings.support_hours import SupportHours
from tests.helpers.fake_rasa import FakeRasa, run_fake_rasa

ALWAYS_OPEN = SupportHours(open_hour=0, close_hour=24, days=(0, 1, 2, 3, 4, 5, 6))
LEASE = timedelta(seconds=30)
CONTACTS = SafetyContacts(emergency_number="112", helplines="Helpline 1717")


@dataclass
class Replica:
    """One gateway's routing core on the shared store."""

    intake: Intake
    scheduler: TurnScheduler
    rasa: RasaClient


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    with run_fake_rasa() as rasa:
        yield rasa


def replica(db: Database, fake_rasa: FakeRasa) -> Replica:
    hub, deliveries = EventHub(), Deliveries()
    deliveries.register(WIDGET, WidgetDelivery(hub))
    unit_of_work = UnitOfWork(db, hub, deliveries)
    rasa = RasaClient(fake_rasa.url, fake_rasa.shared.rasa_token, fake_rasa.shared.webhook_secret,
                      timeout=5)
    answering = Answering(db, BotTurn(unit_of_work, rasa, ALWAYS_OPEN, tracker_wait=0),
                          ContactEmailCapture(unit_of_work, ALWAYS_OPEN),
                          SafetyFirst(unit_of_work, rasa, ALWAYS_OPEN, CONTACTS),
                              LeaveQueue(unit_of_work))
    scheduler = TurnScheduler(db, answering.take_turn, LEASE)
    return Replica(Intake(unit_of_work, scheduler), scheduler, rasa)


def run(store_url: str, fake_rasa: FakeRasa,
        scenario: Callable[[Database, Replica, Replica], Awaitable[None]]) -> None:
    async def main() -> None:
        db = Database.from_url(store_url)
        upgrade_head(db.engine)
        first, second = replica(db, fake_rasa), replica(db, fake_rasa)
        try:
            await scenario(db, first, second)
        finally:
            for each in (first, second):
                await each.scheduler.close()
                await each.rasa.aclose()
            db.dispose()

    asyncio.run(main())


async def eventually(condition: Callable[[], bool]) -> None:
    """Polls for up to 10 s."""
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def bot_texts(db: Database, conversation_id: str) -> list[str]:
    def read(session: Session) -> list[str]:
        return list(session.scalars(
            select(Message.text).where(Message.conversation_id == conversation_id,
                                       Message.sender == Sender.BOT).order_by(Message.seq)))

    return await db.run(read)


def test_a_message_stored_by_another_replica_waits_for_the_lease_holder(store_url, fake_rasa):
    """The first replica is in a slow turn; the second stores the next message and leaves it to
    the first, which answers it after: Rasa gets both once, in order."""
    fake_rasa.delays["slow first"] = 1.0

    async def scenario(db: Database, first: Replica, second: Replica) -> None:
        started = await Conversations(db).start(WIDGET, None, None)
        cid = started.conversation_id
        await first.intake.receive(cid, InboundMessage(text="slow first"))
        await eventually(lambda: fake_rasa.messages_of(cid) == ["slow first"])
        await second.intake.receive(cid, InboundMessage(text="then this"))
        await second.scheduler.idle()
        assert fake_rasa.messages_of(cid) == ["slow first"]  # left to the lease holder
        await first.scheduler.idle()
        assert fake_rasa.messages_of(cid) == ["slow first", "then this"]
        assert await bot_texts(db, cid) == ["echo: slow first", "echo: then this"]

    run(store_url, fake_rasa, scenario)


def test_a_killed_replicas_conversation_is_routed_once_its_lease_expires(store_url, fake_rasa):
    """A lease held by a replica that is gone: nobody takes the conversation while it lasts; the
    first sweep after it expired routes the message once (Rasa had it already: not sent again)."""
    async def scenario(db: Database, first: Replica, second: Replica) -> None:
        started = await Conversations(db).start(WIDGET, None, None)
        cid = started.conversation_id
        message, _ = await first.intake.accept(cid, InboundMessage(text="left behind"))
        fake_rasa.run_turn(cid, "left behind", {"message_id": message["id"]})
        expires = now_utc() + timedelta(seconds=1.5)
        assert await db.run(lambda session: routing.claim(session, cid, "killed-replica",
                                                          now_utc(), expires))

        assert await first.scheduler.recover() == 0
        assert await second.scheduler.recover() == 0
        await asyncio.sleep(1.6)
        found = await asyncio.gather(first.scheduler.recover(), second.scheduler.recover())
        assert sorted(found) in ([0, 1], [1, 1])
        await asyncio.gather(first.scheduler.idle(), second.scheduler.idle())
        assert await bot_texts(db, cid) == ["echo: left behind"]
        assert fake_rasa.messages_of(cid) == []
        assert cid in fake_rasa.tracker_reads
        assert await first.scheduler.recover() == 0

    run(store_url, fake_rasa, scenario)


def test_a_failing_turn_is_logged_once_and_the_next_message_still_gets_its_turn(
        store_url, fake_rasa, caplog):
    """A turn that raises, and one that ends without marking its message routed (a bug in an
    answerer): each runs once, both messages end routed, the next still comes; the log names the
    failure, never the message."""
    taken: list[str] = []

    async def take_turn(turn: Turn) -> None:
        taken.append(turn.message_id)
        if len(taken) == 1:
            raise RuntimeError("an answerer's bug")

    async def scenario(db: Database, first: Replica, _: Replica) -> None:
        scheduler = TurnScheduler(db, take_turn, LEASE)
        started = await Conversations(db).start(WIDGET, None, None)
        cid = started.conversation_id
        ids = [(await first.intake.accept(cid, InboundMessage(text=text)))[0]["id"]
               for text in ("secret one", "secret two", "secret three")]
        scheduler.submit(cid)
        await scheduler.idle()
        await scheduler.close()
        assert taken == ids
        assert await db.run(lambda session: routing.conversations_to_route(
            session, "anyone", now_utc())) == []

    with caplog.at_level("INFO", logger="bot.core.turn_scheduler"):
        run(store_url, fake_rasa, scenario)
    logged = caplog.text
    assert "turn failed (RuntimeError)" in logged
    assert "a turn left its message unrouted" in logged
    assert "secret" not in logged


def test_a_turn_another_replica_ended_is_not_a_failure(store_url, fake_rasa, caplog):
    """An answer refused because the message's turn had ended elsewhere (`AlreadyRouted`: another
    replica took it after this one's lease expired) is logged as that, not as a failed turn, and
    the next message still comes."""
    taken: list[str] = []

    async def scenario(db: Database, first: Replica, _: Replica) -> None:
        async def take_turn(turn: Turn) -> None:
            taken.append(turn.message_id)
            await db.run(lambda session: routing.mark_routed(session, turn.message_id))
            if len(taken) == 1:
                raise AlreadyRouted(turn.message_id)

        scheduler = TurnScheduler(db, take_turn, LEASE)
        started = await Conversations(db).start(WIDGET, None, None)
        cid = started.conversation_id
        ids = [(await first.intake.accept(cid, InboundMessage(text=text)))[0]["id"]
               for text in ("one", "two")]
        scheduler.submit(cid)
        await scheduler.idle()
        await scheduler.close()
        assert taken == ids

    with caplog.at_level("INFO", logger="bot.core.turn_scheduler"):
        run(store_url, fake_rasa, scenario)
    assert "the turn had ended elsewhere" in caplog.text
    assert "turn failed" not in caplog.text


def test_a_waiting_message_that_cannot_be_read_is_skipped_not_stuck_on(store_url, fake_rasa,
                                                                     caplog):
    """A message the routing can't read as a turn (here a kind this code doesn't know, as after
    a newer gateway wrote it) is logged and marked routed in the claim's transaction; the next
    message still gets its turn."""
    async def scenario(db: Database, first: Replica, _: Replica) -> None:
        started = await Conversations(db).start(WIDGET, None, None)
        cid = started.conversation_id

        def store_two(session: Session) -> list[str]:
            conversation = store.get_conversation(session, cid)
            assert conversation is not None
            return [store.add_message(session, conversation, Sender.CLIENT, words).id
                    for words in ("from the future", "plain today")]

        future, _ = await db.run(store_two)
        await db.run(lambda session: session.execute(
            text("UPDATE messages SET kind = 'hologram' WHERE id = :id"), {"id": future}))
        first.scheduler.submit(cid)
        await first.scheduler.idle()
        assert await bot_texts(db, cid) == ["echo: plain today"]
        assert fake_rasa.messages_of(cid) == ["plain today"]
        assert await db.run(lambda session: routing.next_unrouted(session, cid)) is None

    with caplog.at_level("INFO", logger="bot.core.turn_scheduler"):
        run(store_url, fake_rasa, scenario)
    assert "a waiting message could not be read (LookupError); marked routed" in caplog.text

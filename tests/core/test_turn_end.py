"""Every way a client's message is answered ends its turn exactly once, also when PostgreSQL cuts
the gateway's connection while the answer commits (bot/core/turn_end.py), on a real store with
the real routing core, a fake Rasa on a real port and, for data requests, the real sandbox.

Each answer is cut once as it commits (tests/helpers/store_faults.py), so whether it committed
is unknown to the gateway: when it had (the run again finds the message routed and stores
nothing) and when it hadn't (the run again stores it), the client is answered once (stored,
and told live once: the widget's stream), Rasa is asked once and a copy of their data is
e-mailed once. And the safety reply is stored with its message marked routed: a gateway stopped
right after it never says it again.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels.widget import CHANNEL as WIDGET
from bot.channels.widget import WidgetDelivery, stream_of
from bot.core import texts
from bot.core.answering import Answering
from bot.core.bot_turn import BotTurn
from bot.core.channel_seam import Deliveries, InboundMessage
from bot.core.conversations import Conversations
from bot.core.data_requests import ERASE_CONFIRM
from bot.core.data_rights import ERASE_ASK, ERASED, EXPORT_SENT, DataRights, conversations_word
from bot.core.erasure import Erasure
from bot.core.handoff_states import Context, HandoffRequest, Trigger, apply
from bot.core.intake import Intake
from bot.core.leave_queue import LeaveQueue
from bot.core.live_events import EventHub
from bot.core.out_of_hours import ContactEmailCapture
from bot.core.rasa_client import RasaClient
from bot.core.safety import SafetyFirst
from bot.core.turn import SELF_HARM_INTENT, read_turn
from bot.core.turn_scheduler import TurnScheduler
from bot.core.unit_of_work import ChangeSet, UnitOfWork
from bot.store import conversations as store
from bot.store import routing
from bot.store.conversations import CLIENT_VISIBLE_KINDS
from bot.store.db import Database
from bot.store.migrate import upgrade_head
from bot.store.models import Conversation, Kind, Message, Mode, Priority, Sender, now_utc
from bot.store.rasa_trackers import RasaTrackers
from envsettings.safety_contacts import SafetyContacts
from envsettings.support_hours import SupportHours
from platform_api import PlatformClient
from tests.helpers.fake_rasa import FakeRasa, run_fake_rasa
from tests.helpers.postgres import require_postgres, temporary_schema
from tests.helpers.sandbox_api import SandboxApi
from tests.helpers.store_faults import cut_commit

ALWAYS_OPEN = SupportHours(open_hour=0, close_hour=24, days=(0, 1, 2, 3, 4, 5, 6))
NEVER_OPEN = SupportHours(open_hour=0, close_hour=24, days=())  # e-mail addresses are noted
CONTACTS = SafetyContacts(emergency_number="112", helplines="Helpline 1717")
LEASE = timedelta(seconds=60)
NO_PLATFORM = "http://127.0.0.1:9"  # never asked: no data request
RISK = "I want to kill myself"
ANNA, ANNA_EMAIL = "c-anna", "anna@northwind.example"
# None: no cut (what the answer is); False: cut before the commit; True: cut after it.
CUTS = [None, False, True]

Said = list[tuple[Sender, Kind, str]]


@pytest.fixture(autouse=True)
def no_turn_fails(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every turn ends as it should: none fails (logged by the scheduler, message routed)."""
    yield
    failed = [record.getMessage() for record in caplog.get_records("call")
              if record.name == "bot.core.turn_scheduler" and record.levelno >= logging.ERROR]
    assert not failed


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    with run_fake_rasa() as rasa:
        yield rasa


@pytest.fixture
def postgres_url() -> Iterator[str]:
    require_postgres()
    with temporary_schema() as url:
        yield url


@dataclass
class Gateway:
    """One gateway's routing core on the store (out of hours: e-mail addresses are noted)."""

    db: Database
    conversations: Conversations
    intake: Intake
    scheduler: TurnScheduler
    safety: SafetyFirst
    hub: EventHub

    async def start(self, client_id: str | None = None, waiting: bool = False) -> str:
        """A new widget conversation; `waiting`: queued for the team already."""
        cid = (await self.conversations.start(WIDGET, client_id, None)).conversation_id
        if waiting:
            def hand_off(session: Session) -> None:
                conversation = store.get_conversation(session, cid)
                assert conversation is not None
                apply(session, ChangeSet(), conversation, Trigger.HAND_OFF,
                      Context(now_utc(), request=HandoffRequest("requested", Priority.HIGH),
                              hours=NEVER_OPEN))

            await self.db.run(hand_off)
        return cid

    async def turn(self, cid: str, inbound: InboundMessage, cut: bool | None) -> str:
        """The message stored, then its turn, its answer's commit cut (`CUTS`); its id."""
        message, _ = await self.intake.accept(cid, inbound)
        cutting = (cut_commit(self.db.engine, cid, message["id"], committed=cut)
                   if cut is not None else nullcontext([0]))
        with cutting as cuts:
            self.scheduler.submit(cid, message["id"])
            await self.scheduler.idle()
        assert len(cuts) == 1, "the answer's commit was not cut"
        return message["id"]

    async def answer(self, cid: str, inbound: InboundMessage, cut: bool | None) -> Said:
        """`turn`, then what was said after the message, now routed; and the client is told each
        message the client may see once, live (the widget's stream), also when the commit that
        stored it was cut after all."""
        stream = self.hub.subscribe(stream_of(cid))
        try:
            message_id = await self.turn(cid, inbound, cut)
        finally:
            self.hub.unsubscribe(stream)
        said = await self.said_after(cid, message_id)
        live = []
        while not stream.queue.empty():
            event = stream.queue.get_nowait()
            if event is not None and event.name == "message" and event.data["sender"] != "client":
                live.append((Sender(event.data["sender"]), Kind(event.data["kind"]),
                             event.data["text"]))
        assert live == [line for line in said if line[1] in CLIENT_VISIBLE_KINDS], (live, said)
        return said

    async def said_after(self, cid: str, message_id: str) -> Said:
        def read(session: Session) -> Said:
            message = session.get(Message, message_id)
            assert message is not None and message.routed
            return [(m.sender, m.kind, m.text) for m in session.scalars(
                select(Message).where(Message.conversation_id == cid, Message.seq > message.seq)
                .order_by(Message.seq))]

        return await self.db.run(read)

    async def conversation(self, cid: str) -> Conversation:
        found = await self.db.run(lambda session: store.get_conversation(session, cid))
        assert found is not None
        return found


def gateway(db: Database, rasa: RasaClient, platform: PlatformClient,
            trackers: RasaTrackers) -> Gateway:
    hub, deliveries = EventHub(), Deliveries()
    deliveries.register(WIDGET, WidgetDelivery(hub))
    unit_of_work = UnitOfWork(db, hub, deliveries)
    safety = SafetyFirst(unit_of_work, rasa, ALWAYS_OPEN, CONTACTS)
    answering = Answering(
        db, BotTurn(unit_of_work, rasa, ALWAYS_OPEN, tracker_wait=0),
        ContactEmailCapture(unit_of_work, NEVER_OPEN), safety, LeaveQueue(unit_of_work),
        DataRights(unit_of_work, Erasure(db, trackers), platform))
    scheduler = TurnScheduler(db, answering.take_turn, LEASE)
    return Gateway(db, Conversations(db), Intake(unit_of_work, scheduler), scheduler, safety,
                   hub)


def run(store_url: str, fake_rasa: FakeRasa, tmp_path: Path,
        scenario: Callable[[Gateway], Awaitable[None]],
        platform_url: str = NO_PLATFORM, api_key: str = "") -> None:
    async def main() -> None:
        db = Database.from_url(store_url)
        upgrade_head(db.engine)
        rasa = RasaClient(fake_rasa.url, fake_rasa.shared.rasa_token,
                          fake_rasa.shared.webhook_secret, timeout=5)
        trackers = RasaTrackers.from_url(f"sqlite:///{tmp_path / 'rasa-trackers.db'}")
        each = gateway(db, rasa, PlatformClient(platform_url, api_key), trackers)
        try:
            await scenario(each)
        finally:
            await each.scheduler.close()
            await rasa.aclose()
            trackers.dispose()
            db.dispose()

    asyncio.run(main())


def by(sender: Sender, said: Said) -> list[str]:
    return [text for who, _, text in said if who == sender]


@pytest.mark.postgres
@pytest.mark.parametrize("cut", CUTS)
def test_the_assistants_answer_is_stored_once_and_rasa_asked_once(postgres_url, fake_rasa,
                                                                  tmp_path, cut):
    """A run again reads Rasa's tracker instead of asking again, and stores the answer unless the
    cut commit had stored it."""
    async def scenario(gw: Gateway) -> None:
        cid = await gw.start()
        said = await gw.answer(cid, InboundMessage(text="hello there"), cut)
        assert by(Sender.BOT, said) == ["echo: hello there"]
        assert fake_rasa.messages_of(cid) == ["hello there"]

    run(postgres_url, fake_rasa, tmp_path, scenario)


@pytest.mark.postgres
@pytest.mark.parametrize("cut", CUTS)
def test_the_safety_reply_and_the_urgent_handoff_once(postgres_url, fake_rasa, tmp_path, cut):
    """While the assistant has the conversation: Rasa is sent `/self_harm` once, the safety reply
    is said once and the conversation goes to the team, urgent."""
    async def scenario(gw: Gateway) -> None:
        cid = await gw.start()
        said = await gw.answer(cid, InboundMessage(text=RISK), cut)
        assert by(Sender.BOT, said) == [texts.safety_reply(CONTACTS,
                                                           texts.SafetyPlace.HANDING_OVER)]
        assert len(set(said)) == len(said), said  # every line once
        conversation = await gw.conversation(cid)
        assert (conversation.mode, conversation.priority) == (Mode.WAITING, Priority.URGENT)
        assert fake_rasa.messages_of(cid) == [SELF_HARM_INTENT]

    run(postgres_url, fake_rasa, tmp_path, scenario)


@pytest.mark.postgres
@pytest.mark.parametrize("cut", CUTS)
def test_a_waiting_clients_safety_reply_and_e_mail_address_once(postgres_url, fake_rasa,
                                                                 tmp_path, cut):
    """Waiting, out of hours: the safety reply, the escalation and the e-mail address noted, in
    one transaction, once."""
    async def scenario(gw: Gateway) -> None:
        cid = await gw.start(waiting=True)
        said = await gw.answer(cid, InboundMessage(text=f"{RISK}. ann@example.com"), cut)
        assert by(Sender.BOT, said) == [texts.safety_reply(CONTACTS, texts.SafetyPlace.WAITING)]
        assert by(Sender.SYSTEM, said).count(texts.email_noted("ann@example.com")) == 1
        assert by(Sender.SYSTEM, said).count(texts.ACTIVITY_EMAIL) == 1
        assert len(set(said)) == len(said), said
        conversation = await gw.conversation(cid)
        assert (conversation.priority, conversation.contact_email) == (Priority.URGENT,
                                                                       "ann@example.com")
        assert fake_rasa.messages_of(cid) == []

    run(postgres_url, fake_rasa, tmp_path, scenario)


@pytest.mark.postgres
@pytest.mark.parametrize("cut", CUTS)
def test_an_e_mail_address_out_of_hours_is_noted_once(postgres_url, fake_rasa, tmp_path, cut):
    """Waiting, out of hours: the address is kept and the client told so, once."""
    async def scenario(gw: Gateway) -> None:
        cid = await gw.start(waiting=True)
        said = await gw.answer(cid, InboundMessage(text="write to me: ann@example.com"), cut)
        assert said == [(Sender.SYSTEM, Kind.ACTIVITY, texts.ACTIVITY_EMAIL),
                        (Sender.SYSTEM, Kind.TEXT, texts.email_noted("ann@example.com"))]
        assert (await gw.conversation(cid)).contact_email == "ann@example.com"

    run(postgres_url, fake_rasa, tmp_path, scenario)


@pytest.mark.postgres
@pytest.mark.parametrize("cut", CUTS)
def test_leaving_the_queue_once(postgres_url, fake_rasa, tmp_path, cut):
    """The run again after a commit that happened finds the message routed before it reads the
    mode the commit changed: it neither leaves twice nor passes the message on."""
    async def scenario(gw: Gateway) -> None:
        cid = await gw.start(waiting=True)
        said = await gw.answer(cid, InboundMessage(text="never mind"), cut)
        assert by(Sender.SYSTEM, said).count(texts.ACTIVITY_LEFT_QUEUE) == 1
        assert len(set(said)) == len(said), said
        assert (await gw.conversation(cid)).mode == Mode.BOT
        assert fake_rasa.messages_of(cid) == []

    run(postgres_url, fake_rasa, tmp_path, scenario)


@pytest.mark.postgres
@pytest.mark.parametrize("cut", CUTS)
def test_a_message_for_the_console_is_routed_once(postgres_url, fake_rasa, tmp_path, cut):
    """Waiting, in no special case: nothing is said, the message is routed (the console has it)
    and no turn fails."""
    async def scenario(gw: Gateway) -> None:
        cid = await gw.start(waiting=True)
        assert await gw.answer(cid, InboundMessage(text="are you there?"), cut) == []
        assert (await gw.conversation(cid)).mode == Mode.WAITING

    run(postgres_url, fake_rasa, tmp_path, scenario)


@pytest.mark.postgres
@pytest.mark.parametrize("cut", CUTS)
def test_a_copy_of_the_clients_data_is_e_mailed_once_and_said_once(
        postgres_url, fake_rasa, tmp_path, sandbox: SandboxApi, sandbox_url, api_key, cut):
    """The platform is asked to e-mail the copy once; only the transaction saying so runs
    again."""
    async def scenario(gw: Gateway) -> None:
        cid = await gw.start(client_id=ANNA)
        said = await gw.answer(cid, InboundMessage(text="send me my chat history"), cut)
        assert said == [(Sender.BOT, Kind.TEXT, EXPORT_SENT.format(
            count=conversations_word(1), email=ANNA_EMAIL))]
        assert len(sandbox.outbox(ANNA_EMAIL)) == 1
        assert fake_rasa.messages_of(cid) == []

    run(postgres_url, fake_rasa, tmp_path, scenario, sandbox_url, api_key)


@pytest.mark.postgres
@pytest.mark.parametrize("cut", CUTS)
def test_an_erasure_is_done_and_said_once(postgres_url, fake_rasa, tmp_path, cut):
    """*Yes, erase them*: a run again after a commit that happened finds the pressed message
    erased (so routed) and erases nothing more; one that didn't erases then."""
    async def scenario(gw: Gateway) -> None:
        cid = await gw.start(client_id=ANNA)
        asked = await gw.answer(cid, InboundMessage(text="delete my chat history"), None)
        assert by(Sender.BOT, asked) == [ERASE_ASK]
        await gw.turn(cid, InboundMessage(payload=ERASE_CONFIRM, title="Yes, erase them"), cut)

        def left(session: Session) -> Said:  # what the erasure left: its tombstone and reply
            return [(m.sender, m.kind, m.text) for m in session.scalars(
                select(Message).where(Message.conversation_id == cid).order_by(Message.seq))]

        said = await gw.db.run(left)
        assert by(Sender.BOT, said) == [ERASED.format(count=conversations_word(1))]
        assert len(said) == 2, said
        assert await gw.db.run(lambda session: routing.next_unrouted(session, cid)) is None

    run(postgres_url, fake_rasa, tmp_path, scenario)


def test_a_gateway_stopped_right_after_the_safety_reply_never_says_it_again(store_url, fake_rasa,
                                                                           tmp_path):
    """The safety reply is stored in the transaction that marks its message routed: the next
    start (`recover`) finds nothing to answer again."""
    async def scenario(gw: Gateway) -> None:
        cid = await gw.start(waiting=True)
        message, _ = await gw.intake.accept(cid, InboundMessage(text=RISK))
        turn = await gw.db.run(lambda session: read_turn(session, cid, message["id"]))
        await gw.safety.answer(turn)  # the turn as far as the safety reply; then it stops
        assert await gw.scheduler.recover() == 0
        await gw.scheduler.idle()
        said = await gw.said_after(cid, message["id"])
        assert by(Sender.BOT, said) == [texts.safety_reply(CONTACTS, texts.SafetyPlace.WAITING)]

    run(store_url, fake_rasa, tmp_path, scenario)

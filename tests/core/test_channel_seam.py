"""The channel seam: a conversation of another channel is found by (channel, external id), and
what the assistant or an agent says reaches it through that channel's own delivery — the core
never assumes the widget. Driven in-process with a real store and a fake Rasa on a real port; the
channel is a recording adapter, plugged in exactly as a new channel would be."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bot.channels.widget import CHANNEL as WIDGET
from bot.channels.widget import WidgetDelivery
from bot.core.agent_desk import AgentDesk
from bot.core.answering import Answering
from bot.core.bot_turn import BotTurn
from bot.core.channel_seam import ChannelAddress, Deliveries, InboundMessage
from bot.core.conversations import Conversations
from bot.core.intake import Intake
from bot.core.leave_queue import LeaveQueue
from bot.core.live_events import EventHub
from bot.core.out_of_hours import ContactEmailCapture
from bot.core.rasa_client import RasaClient
from bot.core.safety import SafetyFirst
from bot.core.turn_scheduler import TurnScheduler
from bot.core.unit_of_work import UnitOfWork
from bot.store.db import Database
from bot.store.migrate import upgrade_head
from bot.store.models import Agent
from envsettings.safety_contacts import SafetyContacts
from envsettings.support_hours import SupportHours
from tests.helpers.fake_rasa import FakeRasa, run_fake_rasa

CHANNEL = "chat-app"
ALWAYS_OPEN = SupportHours(open_hour=0, close_hour=24, days=(0, 1, 2, 3, 4, 5, 6))
CONTACTS = SafetyContacts(emergency_number="112", helplines="Helpline 1717")
HANDOFF = [{"text": "Passing you on."},
           {"custom": {"handoff": {"reason": "requested", "priority": "high"}}}]


@dataclass
class RecordingDelivery:
    """A channel's delivery that writes down what it was asked to deliver."""

    messages: list[tuple[ChannelAddress, dict[str, Any]]] = field(default_factory=list)
    modes: list[tuple[ChannelAddress, str]] = field(default_factory=list)
    typing_calls: list[bool] = field(default_factory=list)

    def deliver(self, to: ChannelAddress, message: dict[str, Any]) -> None:
        self.messages.append((to, message))

    def mode_changed(self, to: ChannelAddress, mode: str, agent_name: str | None = None) -> None:
        self.modes.append((to, mode))

    def typing(self, to: ChannelAddress, on: bool) -> None:
        self.typing_calls.append(on)

    def texts(self) -> list[str]:
        return [message["text"] for _, message in self.messages]


@dataclass
class Core:
    conversations: Conversations
    intake: Intake
    desk: AgentDesk
    scheduler: TurnScheduler
    db: Database
    channel: RecordingDelivery
    widget_hub: EventHub

    async def settle(self) -> None:
        """Until every scheduled turn has run."""
        await self.scheduler.idle()


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    with run_fake_rasa() as rasa:
        yield rasa


def run(tmp_path: Path, fake_rasa: FakeRasa, scenario: Callable[[Core], Awaitable[None]]) -> None:
    async def main() -> None:
        db = Database.from_url(f"sqlite:///{tmp_path / 'store.db'}")
        upgrade_head(db.engine)
        hub, deliveries, channel = EventHub(), Deliveries(), RecordingDelivery()
        deliveries.register(WIDGET, WidgetDelivery(hub))
        deliveries.register(CHANNEL, channel)
        unit_of_work = UnitOfWork(db, hub, deliveries)
        rasa = RasaClient(fake_rasa.url, fake_rasa.shared.rasa_token,
                          fake_rasa.shared.webhook_secret, timeout=5)
        answering = Answering(db, BotTurn(unit_of_work, rasa, ALWAYS_OPEN),
                              ContactEmailCapture(unit_of_work, ALWAYS_OPEN),
                              SafetyFirst(unit_of_work, rasa, ALWAYS_OPEN, CONTACTS),
                              LeaveQueue(unit_of_work))
        scheduler = TurnScheduler(db, answering.take_turn, timedelta(seconds=60))
        core = Core(Conversations(db), Intake(unit_of_work, scheduler),
                    AgentDesk(unit_of_work, rasa), scheduler, db, channel, hub)
        try:
            await scenario(core)
        finally:
            await scheduler.close()
            await rasa.aclose()
            db.dispose()

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in the
    # main thread for the whole session, and asyncio.run() refuses to nest in it.
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, main()).result()


def test_a_conversation_is_found_again_by_channel_and_external_id(tmp_path, fake_rasa):
    """The same chat of the same channel is one conversation; another chat, or the same id on
    another channel, is another."""
    async def scenario(core: Core) -> None:
        first = await core.conversations.open_external(CHANNEL, "chat-42", "c-ben")
        again = await core.conversations.open_external(CHANNEL, "chat-42", "c-ben")
        other_chat = await core.conversations.open_external(CHANNEL, "chat-43", "c-ben")
        other_channel = await core.conversations.open_external("other-app", "chat-42", "c-ben")
        assert (first.resumed, again.resumed) == (False, True)
        assert again.conversation_id == first.conversation_id
        assert len({first.conversation_id, other_chat.conversation_id,
                    other_channel.conversation_id}) == 3
        assert first.signed_in and again.conversation_key is None

    run(tmp_path, fake_rasa, scenario)


def test_the_assistants_replies_reach_the_conversations_own_channel(tmp_path, fake_rasa):
    """The client's message and Rasa's reply go to the channel's delivery, addressed with the
    channel's own conversation id; Rasa is told the channel; nothing goes to the widget."""
    async def scenario(core: Core) -> None:
        started = await core.conversations.open_external(CHANNEL, "chat-7", "c-anna")
        widget_stream = core.widget_hub.subscribe(f"conversation:{started.conversation_id}")
        await core.intake.receive(started.conversation_id, InboundMessage(text="hello there"))
        await core.settle()
        assert core.channel.texts() == ["hello there", "echo: hello there"]
        address = core.channel.messages[-1][0]
        assert (address.channel, address.external_id) == (CHANNEL, "chat-7")
        assert core.channel.typing_calls == [True, False]
        sent = fake_rasa.messages_of(started.conversation_id)[-1:]
        assert sent == ["hello there"]
        assert fake_rasa.messages[-1]["metadata"]["channel"] == CHANNEL
        assert widget_stream.queue.empty()

    run(tmp_path, fake_rasa, scenario)


def test_a_message_delivered_twice_by_the_channel_is_answered_once(tmp_path, fake_rasa):
    """The channel's own message id (a webhook retried) dedupes: one turn, one reply."""
    async def scenario(core: Core) -> None:
        started = await core.conversations.open_external(CHANNEL, "chat-9", None)
        inbound = InboundMessage(text="twice", client_message_id="update-1001")
        first, fresh = await core.intake.receive(started.conversation_id, inbound)
        repeat, fresh_again = await core.intake.receive(started.conversation_id, inbound)
        await core.settle()
        assert (fresh, fresh_again) == (True, False) and repeat["id"] == first["id"]
        assert fake_rasa.messages_of(started.conversation_id) == ["twice"]
        assert core.channel.texts() == ["twice", "echo: twice"]

    run(tmp_path, fake_rasa, scenario)


def test_an_agents_reply_reaches_the_client_through_the_channel(tmp_path, fake_rasa):
    """Handoff, claim, reply, hand back: each thing the client may see is delivered through the
    channel, and so is every change of mode."""
    fake_rasa.replies["/request_human"] = HANDOFF

    async def scenario(core: Core) -> None:
        started = await core.conversations.open_external(CHANNEL, "chat-11", "c-ben")
        cid = started.conversation_id
        await core.intake.receive(cid, InboundMessage(payload="/request_human",
                                                      title="Talk to a person"))
        await core.settle()

        def agent(session: Session) -> Agent:
            found = Agent(email="sam@support.example", name="Sam", password_hash="x")
            session.add(found)
            session.flush()
            return found

        sam = await core.db.run(agent)
        await core.desk.claim(sam, cid)
        await core.desk.reply(sam, cid, "Hi Ben, Sam here.")
        await core.desk.note(sam, cid, "private: never delivered")
        await core.desk.handback(sam, cid)
        texts = core.channel.texts()
        assert texts[:2] == ["Talk to a person", "Passing you on."]
        assert "Sam from the Customer Success team has joined the conversation." in texts
        assert "Hi Ben, Sam here." in texts and "private: never delivered" not in texts
        assert texts[-2:] == ["You're back with the assistant. Ask me anything.",
                              "How did we do? Rate this conversation from 1 (poor) to 5 (great)."]
        assert [mode for _, mode in core.channel.modes] == ["waiting", "agent", "bot"]
        assert fake_rasa.resumes[-1] == cid

    run(tmp_path, fake_rasa, scenario)


def test_a_channel_nobody_registered_loses_nothing_in_the_transcript(tmp_path, fake_rasa):
    """No delivery for the channel: the core still stores the turn (and logs the gap)."""
    async def scenario(core: Core) -> None:
        started = await core.conversations.open_external("unregistered", "x-1", None)
        await core.intake.receive(started.conversation_id, InboundMessage(text="anyone?"))
        await core.settle()
        history = await core.conversations.history(started.conversation_id)
        assert [m["text"] for m in history] == ["anyone?", "echo: anyone?"]
        assert core.channel.messages == []

    run(tmp_path, fake_rasa, scenario)


def test_a_message_that_speaks_of_risk_gets_the_safety_reply_on_any_channel(tmp_path, fake_rasa):
    """The check is the core's, not the widget's: on another channel the safety reply is
    delivered first (Rasa was sent `/self_harm`, its echo is not shown), then the queue
    position; and later, while waiting, the next risk message gets the safety reply again."""
    async def scenario(core: Core) -> None:
        started = await core.conversations.open_external(CHANNEL, "chat-21", None)
        cid = started.conversation_id
        await core.intake.receive(cid, InboundMessage(text="my husband hits me"))
        await core.settle()
        texts = core.channel.texts()
        assert texts[0] == "my husband hits me"
        assert "emergency number 112" in texts[1] and "Helpline 1717" in texts[1]
        assert "in the queue" in texts[2] and len(texts) == 3
        assert fake_rasa.messages_of(cid) == ["/self_harm"]
        assert [mode for _, mode in core.channel.modes] == ["waiting"]

        await core.intake.receive(cid, InboundMessage(text="I'm not safe at home"))
        await core.settle()
        again = core.channel.texts()[4:]
        assert "emergency number 112" in again[0] and "told our team" in again[0]
        assert fake_rasa.messages_of(cid) == ["/self_harm"]  # Rasa is not called while waiting

    run(tmp_path, fake_rasa, scenario)

"""Slack and Telegram through the core, with account linking: `LinkedChannelIntake.receive`
against a real store, the real sandbox on a real port (its link codes) and a fake Rasa that keeps
trackers as Rasa does. The channel is a recording delivery, plugged in as an adapter would be.

Link, unlink, wrong / expired / used codes and their hourly limit, the code masked in the
transcript and never sent to Rasa, a shared chat that never carries a client, and Rasa told the
identity (`client_id` slot, `metadata.private`)."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, update

from bot.core.account_links import AccountLinks
from bot.core.answering import Answering
from bot.core.bot_turn import BotTurn
from bot.core.channel_seam import Deliveries, InboundMessage
from bot.core.channel_users import ChannelUser, ExternalInbound, Received
from bot.core.conversations import Conversations
from bot.core.intake import Intake
from bot.core.leave_queue import LeaveQueue
from bot.core.linked_intake import LinkedChannelIntake
from bot.core.live_events import EventHub
from bot.core.out_of_hours import ContactEmailCapture
from bot.core.rasa_client import RasaClient
from bot.core.safety import SafetyFirst
from bot.core.turn_scheduler import TurnScheduler
from bot.core.unit_of_work import UnitOfWork
from bot.store.db import Database
from bot.store.migrate import upgrade_head
from bot.store.models import ChannelLink, Conversation, LinkAttempt, Message
from platform_api import PlatformClient
from sandbox.models import LinkCode
from tests.core.test_channel_seam import ALWAYS_OPEN, CONTACTS, RecordingDelivery
from tests.helpers.action_server import free_port
from tests.helpers.fake_rasa import FakeRasa, run_fake_rasa
from tests.helpers.sandbox_fixtures import FIXED_NOW

TELEGRAM = "telegram"
SLACK = "slack"
ANNA = ChannelUser(TELEGRAM, "5550001")


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    with run_fake_rasa() as rasa:
        yield rasa


@dataclass
class Chat:
    intake: LinkedChannelIntake
    scheduler: TurnScheduler
    db: Database
    platform: PlatformClient
    telegram: RecordingDelivery
    slack: RecordingDelivery
    fake_rasa: FakeRasa
    sequence: int = 0

    async def say(self, text: str, user: ChannelUser = ANNA, external_id: str | None = None,
                  private: bool = True, message_id: str | None = None) -> Received:
        """A typed message, as an adapter hands it over; waits for its turn too."""
        self.sequence += 1
        inbound = ExternalInbound(user, external_id or user.user_id, private,
                                  InboundMessage(text=text,
                                                 client_message_id=message_id
                                                 or f"{user.channel}:{self.sequence}"))
        received = await self.intake.receive(inbound)
        await self.scheduler.idle()
        return received

    def code(self, client_id: str = "c-anna") -> str:
        return self.platform.issue_link_code(client_id).code

    async def conversation(self, conversation_id: str) -> Conversation:
        return await self.db.run(lambda session: session.get(Conversation, conversation_id))

    async def transcript(self, conversation_id: str) -> list[tuple[str, str]]:
        return await self.db.run(lambda session: [
            (m.sender.value, m.text) for m in session.scalars(
                select(Message).where(Message.conversation_id == conversation_id)
                .order_by(Message.seq))])

    def answers(self, delivery: RecordingDelivery | None = None) -> list[str]:
        """What the assistant said through the channel (the client's own messages left out)."""
        return [message["text"] for _, message in (delivery or self.telegram).messages
                if message["sender"] != "client"]

    def slot_events(self, conversation_id: str) -> list[dict[str, Any]]:
        return [event for event in self.fake_rasa.tracker(conversation_id)["events"]
                if event.get("event") == "slot"]


def run(tmp_path: Path, fake_rasa: FakeRasa, platform_url: str, api_key: str,
        scenario: Callable[[Chat], Awaitable[None]], linking_rasa_url: str | None = None) -> None:
    """`linking_rasa_url`: where linking tells Rasa the identity (default: the fake Rasa that
    answers the turns too)."""
    async def main() -> None:
        db = Database.from_url(f"sqlite:///{tmp_path / 'store.db'}")
        upgrade_head(db.engine)
        hub, deliveries = EventHub(), Deliveries()
        telegram, slack = RecordingDelivery(), RecordingDelivery()
        deliveries.register(TELEGRAM, telegram)
        deliveries.register(SLACK, slack)
        unit_of_work = UnitOfWork(db, hub, deliveries)
        rasa = RasaClient(fake_rasa.url, fake_rasa.shared.rasa_token,
                          fake_rasa.shared.webhook_secret, timeout=5)
        answering = Answering(db, BotTurn(unit_of_work, rasa, ALWAYS_OPEN),
                              ContactEmailCapture(unit_of_work, ALWAYS_OPEN),
                              SafetyFirst(unit_of_work, rasa, ALWAYS_OPEN, CONTACTS),
                              LeaveQueue(unit_of_work))
        scheduler = TurnScheduler(db, answering.take_turn, timedelta(seconds=60))
        platform = PlatformClient(platform_url, api_key, connect_timeout=1, read_timeout=3)
        linking_rasa = RasaClient(linking_rasa_url or fake_rasa.url, fake_rasa.shared.rasa_token,
                                  fake_rasa.shared.webhook_secret, timeout=5)
        intake = LinkedChannelIntake(Conversations(db), Intake(unit_of_work, scheduler),
                                     AccountLinks(db, platform), linking_rasa)
        try:
            await scenario(Chat(intake, scheduler, db, PlatformClient(platform_url, api_key),
                                telegram, slack, fake_rasa))
        finally:
            await scheduler.close()
            await rasa.aclose()
            await linking_rasa.aclose()
            db.dispose()

    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, main()).result()


@pytest.fixture
def chat(tmp_path, fake_rasa, sandbox, sandbox_url, api_key):
    """Run a scenario against a fresh store and a freshly reset sandbox."""
    def go(scenario: Callable[[Chat], Awaitable[None]], platform_url: str = sandbox_url,
           linking_rasa_url: str | None = None) -> None:
        run(tmp_path, fake_rasa, platform_url, api_key, scenario, linking_rasa_url)

    return go


def test_link_binds_the_chat_account_and_the_assistant_then_knows_the_client(chat):
    """`link <code>` from the dashboard: stored masked, never sent to Rasa, answered "You're
    linked as Anna", the conversation carries c-anna, Rasa's slots are set, and the next message
    goes to Rasa with client_id, channel and private."""
    async def scenario(chat: Chat) -> None:
        code = chat.code("c-anna")
        received = await chat.say(f"link {code}")
        cid = received.conversation_id
        assert received.fresh and received.message["text"] == "link ••••••"
        assert await chat.transcript(cid) == [
            ("client", "link ••••••"),
            ("bot", "You're linked as Anna. Ask me about your credits, sessions or invoices.")]
        assert chat.fake_rasa.messages_of(cid) == []
        conversation = await chat.conversation(cid)
        assert (conversation.client_id, conversation.client_name) == ("c-anna",
                                                                       "Anna Jónsdóttir")
        assert conversation.shared is False
        [address] = {to for to, _ in chat.telegram.messages}
        assert (address.channel, address.external_id) == (TELEGRAM, ANNA.user_id)
        slots = {e["name"]: e["value"] for e in chat.slot_events(cid)}
        assert slots == {"client_id": "c-anna", "channel": TELEGRAM, "live_handoff": True,
                         "private": True}

        await chat.say("how many credits do I have left?")
        [call] = [m for m in chat.fake_rasa.messages if m["sender"] == cid]
        assert call["message"] == "how many credits do I have left?"
        assert {k: call["metadata"][k] for k in ("client_id", "channel", "private")} == {
            "client_id": "c-anna", "channel": TELEGRAM, "private": True}
        assert code not in str(await chat.transcript(cid))

    chat(scenario)


def test_the_deep_link_the_code_alone_and_any_spelling_link_too(chat):
    """Telegram's `/start <code>`, the six digits pasted alone, `/LINK 123 456`."""
    async def scenario(chat: Chat) -> None:
        conversations = set()
        for n, text in enumerate(["/start {}", "{}", "/LINK {} "]):
            code = chat.code("c-ben")
            spaced = f"{code[:3]} {code[3:]}" if n == 2 else code
            user = ChannelUser(TELEGRAM, f"77{n}")
            received = await chat.say(text.format(spaced), user=user)
            conversations.add(received.conversation_id)
            conversation = await chat.conversation(received.conversation_id)
            assert conversation.client_id == "c-ben", text
            assert not any(ch.isdigit() for ch in received.message["text"])
        assert not any(chat.fake_rasa.messages_of(cid) for cid in conversations)  # never Rasa

    chat(scenario)


def test_a_code_works_once_and_a_wrong_or_expired_one_is_explained(chat, sandbox_database):
    async def scenario(chat: Chat) -> None:
        code = chat.code("c-anna")
        await chat.say(f"link {code}", user=ChannelUser(TELEGRAM, "1"))
        await chat.say(f"link {code}")
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        await chat.say(f"link {wrong}")
        expired = chat.code("c-dan")
        engine = create_engine(sandbox_database)
        with engine.begin() as connection:
            connection.execute(update(LinkCode).where(LinkCode.redeemed_at.is_(None))
                               .values(expires_at=FIXED_NOW - timedelta(minutes=1)))
        engine.dispose()
        received = await chat.say(f"link {expired}")
        assert chat.answers() == [
            "You're linked as Anna. Ask me about your credits, sessions or invoices.",
            ("That code has been used already. Get a new one from your dashboard and send it "
             "here. You can try 4 more times this hour."),
            ("That code doesn't match any code from the dashboard. Check the six digits, or get "
             "a new code there. You can try 3 more times this hour."),
            ("That code has expired (codes last 10 minutes). Get a new one from your dashboard "
             "and send it here. You can try 2 more times this hour.")]
        assert (await chat.conversation(received.conversation_id)).client_id is None

    chat(scenario)


def test_five_wrong_codes_an_hour_then_no_code_is_checked(chat):
    """After five refused codes the sixth, even the right one, is not sent to the platform: it
    is still valid there afterwards. Another chat account is not limited."""
    async def scenario(chat: Chat) -> None:
        right = chat.code("c-anna")
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        for _ in range(5):
            await chat.say(f"link {wrong}")
        received = await chat.say(f"link {right}")
        assert chat.answers()[-2].startswith("That code doesn't match any code")
        assert not chat.answers()[-2].endswith("this hour.")  # no tries left
        assert chat.answers()[-1] == (
            "That's too many wrong codes for now, so I'm not checking codes from this account "
            "for a while. Please try again in 60 minutes, with a new code from your dashboard.")
        assert (await chat.conversation(received.conversation_id)).client_id is None
        other = await chat.say(f"link {right}", user=ChannelUser(TELEGRAM, "another"))
        assert (await chat.conversation(other.conversation_id)).client_id == "c-anna"
        attempts = await chat.db.run(lambda s: s.scalars(select(LinkAttempt.user_id)).all())
        assert sorted(attempts) == [ANNA.user_id] * 5

    chat(scenario)


def test_unlink_removes_the_binding_and_the_assistant_forgets_the_client(chat):
    async def scenario(chat: Chat) -> None:
        first = await chat.say(f"link {chat.code('c-ben')}")
        cid = first.conversation_id
        await chat.say("Unlink")
        assert (await chat.conversation(cid)).client_id is None
        assert await chat.db.run(lambda s: s.scalars(select(ChannelLink)).all()) == []
        assert chat.slot_events(cid)[-4]["value"] is None  # client_id, then the others
        await chat.say("unlink")
        await chat.say("any unpaid invoices?")
        assert chat.answers()[1:3] == [
            ("Done: this chat is no longer linked to your account. Send link and a new code "
             "from your dashboard to link it again."),
            "This chat isn't linked to an account, so there's nothing to unlink."]
        assert chat.fake_rasa.messages[-1]["metadata"]["client_id"] is None

    chat(scenario)


def test_a_shared_chat_never_carries_a_client_and_cancels_a_code_sent_there(chat):
    """In a group (or a Slack channel) the user's link is not used, `private` is False for
    Rasa, and a code posted there is used up (others have seen it) and not linked."""
    async def scenario(chat: Chat) -> None:
        await chat.say(f"link {chat.code('c-anna')}")  # linked in the private chat
        group = "-100200:" + ANNA.user_id
        code = chat.code("c-anna")
        received = await chat.say(f"link {code}", external_id=group, private=False)
        cid = received.conversation_id
        conversation = await chat.conversation(cid)
        assert conversation.shared and conversation.client_id is None
        assert chat.answers()[-1] == (
            "Everyone here can read this chat, so I don't link accounts here. Send me the code "
            "in a private chat instead. I've cancelled the code you sent, since others have "
            "seen it: get a new one from your dashboard.")
        assert received.message["text"] == "link ••••••"
        with pytest.raises(Exception, match="link_code_used"):
            chat.platform.redeem_link_code(code)
        await chat.say("how many credits do I have left?", external_id=group, private=False)
        metadata = chat.fake_rasa.messages[-1]["metadata"]
        assert (metadata["client_id"], metadata["private"]) == (None, False)
        await chat.say("unlink", external_id=group, private=False)
        assert chat.answers()[-1] == "To unlink your account, write unlink to me in a private chat."

    chat(scenario)


def test_a_private_chat_follows_the_accounts_link(chat):
    """A second private conversation of the same account (a Slack DM reopened elsewhere) starts
    with the link, and a resumed one drops the client once the account is unlinked."""
    async def scenario(chat: Chat) -> None:
        ben = ChannelUser(SLACK, "T1:U2")
        dm = await chat.say(f"link {chat.code('c-ben')}", user=ben, external_id="T1:D1")
        other = await chat.say("hello", user=ben, external_id="T1:D9")
        assert (await chat.conversation(other.conversation_id)).client_id == "c-ben"
        await chat.say("unlink", user=ben, external_id="T1:D1")
        await chat.say("hello again", user=ben, external_id="T1:D9")
        assert (await chat.conversation(other.conversation_id)).client_id is None
        assert chat.fake_rasa.messages[-1]["metadata"]["client_id"] is None
        assert chat.slot_events(other.conversation_id)[-4]["value"] is None
        assert dm.conversation_id != other.conversation_id
        assert chat.answers(chat.slack)[0].startswith("You're linked as Ben.")

    chat(scenario)


def test_a_link_command_delivered_twice_is_redeemed_once(chat):
    async def scenario(chat: Chat) -> None:
        code = chat.code("c-chloe")
        first = await chat.say(f"link {code}", message_id="tg:1001")
        again = await chat.say(f"link {code}", message_id="tg:1001")
        assert (first.fresh, again.fresh) == (True, False)
        assert again.message == first.message
        assert chat.answers() == [
            "You're linked as Chloe. Ask me about your credits, sessions or invoices."]

    chat(scenario)


def test_what_is_not_a_command_goes_to_the_assistant(chat):
    """A pressed button, a sentence that mentions linking, and a message that speaks of risk
    (safety first, even when it starts with `link`) are turns for Rasa."""
    async def scenario(chat: Chat) -> None:
        received = await chat.say("how do I link my card?")
        cid = received.conversation_id
        await chat.intake.receive(ExternalInbound(ANNA, ANNA.user_id, True, InboundMessage(
            payload="/inform", title="link 123456", client_message_id="tg:btn")))
        await chat.scheduler.idle()
        await chat.say("link me to someone, I want to kill myself")
        sent = chat.fake_rasa.messages_of(cid)
        assert sent == ["how do I link my card?", "/inform", "/self_harm"]

    chat(scenario)


def test_link_without_a_code_start_and_a_platform_that_is_down(chat):
    """`link` alone explains the format; `/start` welcomes; a platform that can't be reached is
    an apology and the attempt is not counted."""
    async def scenario(chat: Chat) -> None:
        await chat.say("link my account")
        await chat.say("/start")
        await chat.say("link 123456")
        answers = chat.answers()
        assert answers[0].startswith("To see your account here, open your Wellbeing Hub "
                                     "dashboard") and answers[0].endswith("link 123456")
        assert answers[1].startswith("Hi! I'm the Wellbeing Hub assistant.")
        assert answers[2] == ("Sorry, I can't check codes right now. Your code stays valid for "
                              "10 minutes: please send it again in a moment.")
        assert await chat.db.run(lambda s: s.scalars(select(LinkAttempt)).all()) == []

    chat(scenario, platform_url=f"http://127.0.0.1:{free_port()}")


def test_a_reply_marked_private_only_reaches_the_channel_marked(chat):
    """Rasa's reply with `private_only` (an account question in a shared chat) is stored and
    delivered with `"private_only": true`, so Slack can show it to the asker alone; other
    replies carry no mark."""
    async def scenario(chat: Chat) -> None:
        chat.fake_rasa.replies["what are my credits?"] = [
            {"text": "I can only talk about your account in a private chat: write to me "
                     "directly.", "private_only": True}]
        group = "C42:T1:U7"
        user = ChannelUser(SLACK, "T1:U7")
        await chat.say("what are my credits?", user=user, external_id=group, private=False)
        await chat.say("hello", user=user, external_id=group, private=False)
        replies = [m for _, m in chat.slack.messages if m["sender"] == "bot"]
        assert [m.get("private_only") for m in replies] == [True, None]

    chat(scenario)


def test_rasa_down_when_linking_is_told_the_identity_before_the_next_turn(chat):
    """The link holds in the store; the next message's turn sets Rasa's identity slots first,
    then sends the message, and only once."""
    async def scenario(chat: Chat) -> None:
        linked = await chat.say(f"link {chat.code('c-dan')}")
        cid = linked.conversation_id
        assert chat.answers()[0].startswith("You're linked as Dan.")
        assert (await chat.conversation(cid)).rasa_identity_stale is True
        await chat.say("how many credits do I have left?")
        events = chat.fake_rasa.tracker(cid)["events"]
        slots = [e for e in events if e.get("event") == "slot"]
        user_at = next(i for i, e in enumerate(events) if e.get("event") == "user")
        assert {e["name"]: e["value"] for e in slots}["client_id"] == "c-dan"
        assert all(events.index(e) < user_at for e in slots)
        assert (await chat.conversation(cid)).rasa_identity_stale is False
        await chat.say("thanks")
        assert len([e for e in chat.fake_rasa.tracker(cid)["events"]
                    if e.get("event") == "slot"]) == len(slots)

    chat(scenario, linking_rasa_url=f"http://127.0.0.1:{free_port()}")

"""A Telegram conversation of a linked client in the Customer Success console: its channel and the
client's name in the queue, the conversation header and the context panel, and the context panel
showing the client's account exactly as for the widget.

No Telegram adapter exists on this branch: the conversation comes in through the core's entry
for chat channels (`LinkedChannelIntake`), built here on the live gateway's own store, with the
real Rasa, action server and sandbox of the stack; the code is issued by the sandbox's API as the
client's dashboard does."""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from playwright.sync_api import expect

from bot.core.account_links import AccountLinks
from bot.core.answering import Answering
from bot.core.bot_turn import BotTurn
from bot.core.channel_seam import Deliveries, InboundMessage
from bot.core.channel_users import ChannelUser, ExternalInbound
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
from envsettings.safety_contacts import SafetyContacts
from envsettings.support_hours import SupportHours
from platform_api import DEV_PLATFORM_API_KEY, PlatformClient
from tests.core.test_channel_seam import RecordingDelivery
from tests.helpers.gateway import Gateway
from tests.helpers.stack import Assistant

ALWAYS_OPEN = SupportHours(open_hour=0, close_hour=24, days=(0, 1, 2, 3, 4, 5, 6))
CONTACTS = SafetyContacts(emergency_number="112", helplines="Helpline 1717")


def in_a_thread(make: Callable[[], Coroutine[Any, Any, str]]) -> str:
    """asyncio.run in a thread of its own: Playwright's loop runs in this one."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(lambda: asyncio.run(make())).result()


def linked_telegram_conversation_asking_for_a_person(assistant: Assistant,
                                                     gateway: Gateway) -> str:
    """Anna links her Telegram account with a dashboard code and asks for a person."""
    async def main() -> str:
        db = Database.from_url(gateway.database_url)
        deliveries, telegram = Deliveries(), RecordingDelivery()
        deliveries.register("telegram", telegram)
        unit_of_work = UnitOfWork(db, EventHub(), deliveries)
        rasa = RasaClient(assistant.rasa, assistant.shared.rasa_token,
                          assistant.shared.webhook_secret, timeout=20)
        answering = Answering(db, BotTurn(unit_of_work, rasa, ALWAYS_OPEN),
                              ContactEmailCapture(unit_of_work, ALWAYS_OPEN),
                              SafetyFirst(unit_of_work, rasa, ALWAYS_OPEN, CONTACTS),
                              LeaveQueue(unit_of_work))
        scheduler = TurnScheduler(db, answering.take_turn, timedelta(seconds=120))
        platform = PlatformClient(assistant.sandbox, DEV_PLATFORM_API_KEY)
        intake = LinkedChannelIntake(Conversations(db), Intake(unit_of_work, scheduler),
                                     AccountLinks(db, platform), rasa)
        anna = ChannelUser("telegram", "4242001")
        try:
            code = platform.issue_link_code("c-anna").code
            linked = await intake.receive(ExternalInbound(anna, "4242001", True, InboundMessage(
                text=f"link {code}", client_message_id="tg:1")))
            await intake.receive(ExternalInbound(anna, "4242001", True, InboundMessage(
                text="I want to talk to a person", client_message_id="tg:2")))
            await scheduler.idle()
            said = [m["text"] for _, m in telegram.messages if m["sender"] == "bot"]
            assert said[0].startswith("You're linked as Anna."), said
            assert any("queue" in text for _, m in telegram.messages
                       for text in [m["text"]] if m["sender"] == "system"), telegram.messages
            return linked.conversation_id
        finally:
            await scheduler.close()
            await rasa.aclose()
            db.dispose()

    return in_a_thread(main)


def test_a_linked_telegram_conversation_shows_its_channel_and_client(
        assistant, live_gateway, console_page, screenshot):
    conversation_id = linked_telegram_conversation_asking_for_a_person(assistant, live_gateway)
    sam = console_page()
    item = sam.waiting_item(conversation_id)
    expect(item.get_by_test_id("queue-channel")).to_have_text("Telegram")
    expect(item.get_by_test_id("queue-client")).to_have_text("Anna Jónsdóttir")
    sam.open(item)
    expect(sam.page.get_by_test_id("conversation-title")).to_have_text("Anna Jónsdóttir")
    expect(sam.page.get_by_test_id("conversation-channel")).to_have_text("Telegram")
    expect(sam.lines(sender="client").first).to_contain_text("link ••••••")
    sam.claim_button.click()
    expect(sam.claim_button).to_be_hidden()
    expect(sam.context.get_by_test_id("context-channel")).to_have_text(
        "Telegram · linked to Anna Jónsdóttir")
    expect(sam.context.get_by_test_id("context-credits")).to_contain_text("4 of 6 left")
    expect(sam.context).to_contain_text("Northwind")
    expect(sam.context).to_contain_text("Dr. Sara Hansen")  # her connection, from the platform
    screenshot(sam.page, "console-telegram")

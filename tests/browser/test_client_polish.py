"""Issue 11, the client's side, in a real browser in front of the real assistant: leaving the
queue (and the console seeing it go), the safety question before letting go, the professionals
for a client without connections, times on the client's own clock, the start of a long reply in
view, and the dashboard that follows a booking made in the chat."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.helpers.browser import LIVE_TIMEOUT, REPLY_TIMEOUT, exactly

PHONE = {"width": 375, "height": 560}
QUEUED = re.compile("in the queue", re.IGNORECASE)
LEFT = "you've left the queue"


def test_a_waiting_client_goes_back_to_the_assistant_and_the_console_sees_it_leave(
        dashboard, console_page, screenshot):
    """Ben asks for a person by mistake: the widget shows "Back to the assistant" while he
    waits; pressing it takes him out of the queue (the console's queue item goes, live), and the
    assistant answers him again."""
    ben = dashboard("c-ben")
    ben.open()
    ben.say("I want to talk to a person")
    ben.reply("system", QUEUED)
    back = ben.page.get_by_test_id("widget-leave-queue")
    expect(back).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(back).to_have_text("Back to the assistant")
    conversation = ben.conversation()
    sam = console_page()
    item = sam.waiting_item(conversation.id)
    expect(item).to_be_visible(timeout=LIVE_TIMEOUT)
    screenshot(ben.page, "waiting-with-a-way-back")

    back.click()
    ben.reply("system", LEFT)
    expect(back).to_be_hidden(timeout=LIVE_TIMEOUT)
    expect(ben.status).to_have_text("Our assistant answers right away")
    expect(item).to_have_count(0, timeout=LIVE_TIMEOUT)  # gone from the queue without a reload
    ben.ask("how many credits do I have left?", "used all 6")
    screenshot(ben.page, "back-with-the-assistant")


def test_never_mind_after_a_safety_reply_asks_if_the_client_is_safe_first(dashboard, screenshot):
    """After a safety handoff, "never mind" gets "are you safe right now?" with two buttons; "No,
    stay in the queue" keeps it queued; the bar's button asks again; "Yes, I'm safe" lets go."""
    dan = dashboard("c-dan")
    dan.open()
    dan.say("I want to end it all")
    dan.reply("system", QUEUED)
    question = dan.ask("never mind", "are you safe right now?", sender="system")
    buttons = question.get_by_test_id("widget-button")
    expect(buttons).to_have_text(["Yes, I'm safe", "No, stay in the queue"])
    expect(dan.status).to_have_text("In the queue for a person")
    screenshot(dan.page, "are-you-safe")
    buttons.filter(has_text=exactly("No, stay in the queue")).click()
    dan.reply("system", "still in the queue")
    expect(dan.status).to_have_text("In the queue for a person")
    dan.page.get_by_test_id("widget-leave-queue").click()  # the bar: asked once more
    asked = dan.by("system").filter(has=dan.page.get_by_test_id("widget-message-text").filter(
        has_text="are you safe right now?"))
    expect(asked).to_have_count(2, timeout=REPLY_TIMEOUT)
    asked.nth(1).get_by_test_id("widget-button").filter(has_text=exactly("Yes, I'm safe")).click()
    dan.reply("system", LEFT)
    expect(dan.status).to_have_text("Our assistant answers right away")


def test_chloe_without_connections_chooses_a_professional_and_sees_her_own_clock(
        dashboard, screenshot):
    """Chloe (no connections, Paris) asks how to book a therapist: who fits, with profession,
    service, length, price and that a credit pays; she chooses; the times are on Paris time,
    said so; after booking, her dashboard shows the session and one credit less by itself."""
    chloe = dashboard("c-chloe", viewport={"width": 1280, "height": 900})
    account = chloe.page.get_by_test_id("account")
    expect(account).to_contain_text("No upcoming sessions")
    expect(account).to_contain_text("4 of 4")
    chloe.open()
    who = chloe.ask("how do I book a therapist then", "clinical psychologist")
    text = who.get_by_test_id("widget-message-text")
    expect(text).to_contain_text("Dr. Sara Hansen, clinical psychologist: Individual therapy, "
                                 "50 min, 18,000 ISK")
    expect(text).to_contain_text("paid with 1 of your sponsored credits (4 left)")
    expect(text).not_to_contain_text("When would you like")
    screenshot(chloe.page, "professionals-that-fit")

    who.get_by_test_id("widget-button").filter(has_text=exactly("Dr. Sara Hansen")).click()
    times = chloe.reply("bot", "(Paris time)")
    first = times.get_by_test_id("widget-button").first
    start = re.search(r'"booking_start":"([^"]+)"', first.get_attribute("data-payload") or "")
    assert start is not None
    paris = datetime.fromisoformat(start.group(1).replace("Z", "+00:00")).astimezone(
        ZoneInfo("Europe/Paris"))
    expect(first).to_have_text(f"{paris:%a} {paris.day} {paris:%b}, {paris:%H:%M}")
    screenshot(chloe.page, "times-on-paris-time")
    first.click()
    confirm = chloe.reply("bot", "Shall I book")
    expect(confirm).to_contain_text(f"{paris:%H:%M} (Paris time)")
    confirm.get_by_test_id("widget-button").filter(has_text="Yes, book it").click()
    chloe.reply("bot", "Booked:")
    # The dashboard follows without a reload (it polls its account sections).
    expect(account).to_contain_text("Individual therapy", timeout=REPLY_TIMEOUT)
    expect(account).to_contain_text("3 of 4")
    expect(account).to_contain_text(f"{paris:%A %H:%M} Paris time")
    screenshot(chloe.page, "dashboard-after-chat-booking")


def test_the_start_of_a_long_reply_stays_in_view(dashboard, screenshot):
    """On a phone, Ben's long credits answer is taller than the chat: the widget shows its first
    line, not its end."""
    ben = dashboard("c-ben", viewport=PHONE)
    ben.open()
    ben.ask("hi", re.compile(r"."))
    answer = ben.ask("how many credits do I have left?", "used all 6")
    scroller = ben.page.locator("wellbeing-support-widget .scroller")
    ben.page.wait_for_timeout(600)  # the scroll happens on the next animation frame
    box = answer.evaluate("""el => {
        const s = el.closest('.scroller').getBoundingClientRect();
        const r = el.getBoundingClientRect();
        return {top: r.top - s.top, height: r.height, view: s.height,
                atBottom: el.closest('.scroller').scrollHeight - el.closest('.scroller').scrollTop
                          - el.closest('.scroller').clientHeight < 4};
    }""")
    assert box["height"] > box["view"], box  # the case in point: taller than the chat
    assert 0 <= box["top"] < 40, box  # its first line is at the top of the chat
    assert not box["atBottom"], box   # not scrolled past it to the end
    expect(scroller).to_be_visible()
    screenshot(ben.page, "long-reply-start-in-view")

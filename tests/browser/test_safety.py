"""In the browsers: the client's own message shows what the gateway kept (no card details), and a
message that speaks of risk while waiting turns the agent's queue line urgent, live."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.helpers.browser import LIVE_TIMEOUT, exactly, mark_document, same_document

CHARGE = "charge my visa 4242 4242 4242 4242 exp 12/28 cvc 123"
CHARGE_STORED = ("charge my visa [card number removed] exp [expiry removed] "
                 "cvc [security code removed]")


def test_the_widget_shows_the_message_without_card_details_as_it_was_stored(dashboard,
                                                                           screenshot):
    """The widget swaps its own copy for the stored one: the client sees the words it sent,
    without the number, the expiry or the code, and the bot says what it removed; a reload
    shows the same."""
    ben = dashboard("c-ben")
    ben.open()
    ben.input.fill(CHARGE)
    ben.input.press("Enter")
    expect(ben.message("client", exactly(CHARGE_STORED))).to_be_visible(timeout=LIVE_TIMEOUT)
    ben.reply("bot", "removed the card details from your message")
    shown = ben.shown()
    assert [m["text"] for m in shown if m["sender"] == "client"] == [CHARGE_STORED]
    assert not any(secret in m["text"] for m in shown for secret in ("4242", "12/28", "123"))
    screenshot(ben.page, "card-removed")

    ben.page.reload()
    expect(ben.bubble).to_be_visible()
    ben.open()
    expect(ben.stored).to_have_count(len(shown))
    assert [m["text"] for m in ben.shown()] == [m["text"] for m in shown]


def test_a_risk_message_while_waiting_turns_the_agents_queue_line_urgent_live(
        dashboard, console_page, screenshot):
    """Dan waits for a person (high); he writes that he isn't safe at home: the safety reply in
    his widget; Sam's console says so at once and the queue line turns urgent and says why,
    without a reload."""
    dan = dashboard("c-dan")
    dan.open()
    sam = console_page()
    mark_document(sam.page)
    dan.say("I want to talk to a person")
    dan.reply("system", "in the queue")
    item = sam.waiting_item(dan.conversation().id)
    expect(item.get_by_test_id("priority")).to_have_text("High", timeout=LIVE_TIMEOUT)

    dan.say("I'm not safe at home")
    expect(sam.toast).to_contain_text("Urgent: Safety: may be at risk", timeout=LIVE_TIMEOUT)
    dan.reply("bot", "emergency number 112")
    expect(item.get_by_test_id("priority")).to_have_text("Urgent", timeout=LIVE_TIMEOUT)
    expect(item).to_contain_text("Safety: may be at risk")
    assert same_document(sam.page)
    screenshot(sam.page, "urgent")

"""The rough edges of issue 11 a client or an agent sees, in a real browser: payment links as short
link text, Stop as a secondary button, the agent named in the widget's header, and handoff reasons
in words in the console."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.helpers.browser import LIVE_TIMEOUT, exactly

PHONE = {"width": 375, "height": 740}
RAW_REASON = re.compile(r"\b(requested|not_understood|platform_unavailable)\b|\bsafety,? priority")


def test_a_payment_link_shows_as_a_short_link_that_opens_in_a_new_tab(dashboard, screenshot):
    """On a phone-sized screen Ben's unpaid invoice says "Pay now", a link kept on one line that
    opens the payment page in a new tab with rel=noopener; the raw URL is not shown."""
    ben = dashboard("c-ben", viewport=PHONE)
    ben.open()
    answer = ben.ask("any unpaid invoices?", re.compile(r"INV-\d{4}-\d+"))
    link = answer.get_by_test_id("widget-link")
    expect(link).to_have_count(1)
    expect(link).to_have_text("Pay now")
    expect(link).to_have_attribute("href", re.compile(r"^http://127\.0\.0\.1:\d+/pay/inv-ben-1$"))
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    expect(answer.get_by_test_id("widget-message-text")).not_to_contain_text("http")
    assert link.evaluate("a => a.getClientRects().length") == 1  # one line: never broken
    screenshot(ben.page, "pay-now")


def test_stop_looks_different_from_the_choices(dashboard, screenshot):
    """Booking: the professionals' buttons share one style, Stop has a secondary one."""
    anna = dashboard("c-anna")
    anna.open()
    question = anna.ask("I want to book a session", "Who would you like to book with?")
    stop = question.get_by_test_id("widget-button").filter(has_text=exactly("Stop"))
    expect(stop).to_have_attribute("data-payload", "/stop")
    expect(stop).to_have_class(re.compile(r"\bchoice-secondary\b"))
    choices = question.locator("[data-testid=widget-button]:not(.choice-secondary)")
    expect(choices.first).to_be_visible()

    def look(button):
        return button.evaluate("""b => { const s = getComputedStyle(b);
            return [s.borderTopStyle, s.borderTopColor, s.color, s.backgroundColor]; }""")
    assert look(stop) != look(choices.first)
    assert look(choices.first) == look(choices.last)
    screenshot(anna.page, "stop-secondary")


def test_the_widget_names_the_agent_and_the_console_says_why_in_words(
        dashboard, console_page, screenshot):
    """Once Sam claims Ben's conversation, the widget's header says "You're chatting with Sam"
    before Sam writes a word (and after a reload); the console's transcript, queue and context
    say why in words, never a reason code."""
    ben = dashboard("c-ben")
    ben.open()
    ben.say("I want to talk to a person")
    ben.reply("system", re.compile("in the queue", re.IGNORECASE))
    conversation = ben.conversation()

    sam = console_page()
    item = sam.waiting_item(conversation.id)
    expect(item).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(item).to_contain_text("Asked for a person")
    sam.open(item)
    activity = sam.lines("system", "activity").first
    expect(activity).to_contain_text("Handed to the team: asked for a person")
    expect(sam.transcript).not_to_contain_text(RAW_REASON)
    expect(sam.context).not_to_contain_text(RAW_REASON)
    sam.claim_button.click()
    expect(sam.mode).to_have_text("With an agent")

    ben.reply("system", "Sam from the Customer Success team has joined", timeout=LIVE_TIMEOUT)
    expect(ben.status).to_have_text("You're chatting with Sam")
    assert ben.by("agent").count() == 0  # named from the mode event, not from a reply
    screenshot(ben.page, "agent-named")
    expect(sam.transcript).not_to_contain_text(RAW_REASON)
    screenshot(sam.page, "reason-in-words")

    ben.page.reload()
    ben.open()
    expect(ben.status).to_have_text("You're chatting with Sam")

    sam.handback_button.click()
    ben.reply("system", "You're back with the assistant", timeout=LIVE_TIMEOUT)
    expect(ben.status).to_have_text("Our assistant answers right away")

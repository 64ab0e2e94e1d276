"""The widget and the console survive hostile input: very long text, HTML and script, emoji only,
rapid double submits, from a client and from an agent."""
from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.helpers.browser import LIVE_TIMEOUT, REPLY_TIMEOUT, WidgetPage

HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"
EMOJI = "🙂🎉👍🏽"
MAX_CHARS = 10_000


def long_text(length: int) -> str:
    """Words (as a person might paste), exactly `length` characters, with a recognisable start."""
    start = "A very long message: "
    words = ("lorem ipsum dolor sit amet " * (length // 27 + 1))
    return (start + words)[:length - 4] + " end"


def stored_client_texts(widget: WidgetPage, settle: float = 1.5) -> list[str]:
    """What the gateway stored from the client, once nothing new has arrived for `settle` s."""
    conversation = widget.conversation()
    messages = conversation.replies_after(0, settle=settle)
    return [m["text"] for m in messages if m["sender"] == "client"]


def test_hostile_input_from_a_client_is_stored_once_and_shown_as_text(dashboard, problems,
                                                                      screenshot):
    """Double Enter and a double click on send store one message each; a 10,000-character
    message, emoji only, and HTML with script are stored as sent and shown as plain text."""
    chloe = dashboard("c-chloe")
    chloe.open()

    # Enter pressed twice in a row: one message.
    chloe.input.fill("what is the cancellation policy?")
    chloe.input.press("Enter")
    chloe.input.press("Enter")
    chloe.reply("bot", "cancel or rebook a session yourself")
    # Send double-clicked: one message.
    chloe.input.fill("how do I reset my password?")
    chloe.send_button.dblclick()
    chloe.reply("bot", "reset a forgotten password")
    assert stored_client_texts(chloe) == ["what is the cancellation policy?",
                                          "how do I reset my password?"]

    # Over the limit: the counter says so and nothing can be sent; at the limit it goes.
    chloe.input.fill(long_text(MAX_CHARS + 1))
    expect(chloe.counter).to_contain_text("1 character over the limit of 10,000")
    expect(chloe.send_button).to_be_disabled()
    text = long_text(MAX_CHARS)
    chloe.input.fill(text)
    expect(chloe.counter).to_have_text("10,000 / 10,000 characters")
    expect(chloe.send_button).to_be_enabled()
    answers = chloe.by("bot").count()
    chloe.send_button.click()
    long_one = chloe.message("client", text[:100])
    expect(long_one).to_be_visible(timeout=LIVE_TIMEOUT)
    assert len(long_one.get_by_test_id("widget-message-text").text_content()) == MAX_CHARS
    expect(chloe.counter).to_be_hidden()

    # The assistant takes it in its stride (whatever it makes of it).
    expect(chloe.by("bot").nth(answers)).to_be_visible(timeout=REPLY_TIMEOUT)

    chloe.say(EMOJI)
    expect(chloe.message("client", EMOJI).get_by_test_id("widget-message-text"))\
        .to_have_text(EMOJI)

    chloe.say(HOSTILE)
    expect(chloe.message("client", HOSTILE).get_by_test_id("widget-message-text"))\
        .to_have_text(HOSTILE)

    time.sleep(1.0)  # let an onerror handler or a script have its chance
    expect(chloe.list.locator("img")).to_have_count(0)
    expect(chloe.list.locator("script")).to_have_count(0)
    assert problems.dialogs == []
    client_texts = [m["text"] for m in chloe.shown() if m["sender"] == "client"]
    assert client_texts == ["what is the cancellation policy?", "how do I reset my password?",
                            text, EMOJI, HOSTILE]
    assert stored_client_texts(chloe) == client_texts
    screenshot(chloe.page, "hostile")


def test_hostile_text_from_an_agent_and_in_the_console_is_shown_as_text(
        dashboard, console_page, problems, screenshot):
    """The client's HTML and long text show as text in the console; the agent's HTML reply shows
    as text in the console and in the client's widget; no script runs on either side."""
    dan = dashboard("c-dan")
    dan.open()
    dan.say(HOSTILE)
    dan.say(long_text(MAX_CHARS))
    sam = console_page()
    dan.say("I want to talk to a person")
    dan.reply("system", "in the queue")
    conversation = dan.conversation()

    sam.open(sam.waiting_item(conversation.id))
    sam.claim_button.click()
    expect(sam.mode).to_have_text("With an agent")
    expect(sam.lines("client").filter(has_text=HOSTILE).locator(".body")).to_have_text(HOSTILE)
    long_line = sam.lines("client").filter(has_text="A very long message: ").locator(".body")
    assert len(long_line.text_content()) == MAX_CHARS

    sam.write(HOSTILE)
    expect(sam.lines("agent", "text").filter(has_text=HOSTILE).locator(".body"))\
        .to_have_text(HOSTILE)
    sam.write(EMOJI)
    expect(dan.message("agent", HOSTILE).get_by_test_id("widget-message-text"))\
        .to_have_text(HOSTILE, timeout=LIVE_TIMEOUT)
    expect(dan.message("agent", EMOJI).get_by_test_id("widget-message-text"))\
        .to_have_text(EMOJI, timeout=LIVE_TIMEOUT)

    time.sleep(1.0)  # let an onerror handler or a script have its chance
    for box in (sam.transcript, dan.list):
        expect(box.locator("img")).to_have_count(0)
        expect(box.locator("script")).to_have_count(0)
    assert problems.dialogs == []
    screenshot(sam.page, "console")
    screenshot(dan.page, "widget")

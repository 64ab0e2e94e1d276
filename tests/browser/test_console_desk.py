"""The console an agent works in, in a real browser in front of the real assistant: the queue
(clients' names, "Mine" pinned above, the order, new arrivals with a title count and a chime that
can be switched off), the summary of a handover, saved replies, following a conversation after
handing it back, and the searchable, read-only, audited history."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.helpers.browser import LIVE_TIMEOUT, REPLY_TIMEOUT
from tests.helpers.gateway_store import audit_rows

ASK_PERSON = "I want to talk to a person"


def queued(widget, opened: bool = False) -> str:
    """The client asks for a person; the conversation's id once it is in the queue."""
    if not opened:
        widget.open()
    widget.say(ASK_PERSON)
    widget.reply("system", re.compile("in the queue", re.IGNORECASE))
    return widget.conversation().id


def test_the_queue_names_clients_keeps_mine_on_top_and_announces_new_arrivals(
        dashboard, console_page, screenshot):
    sam = console_page()
    page = sam.page
    expect(page.get_by_test_id("queue-order")).to_have_text("Urgent first, then longest waiting.")
    sound = page.get_by_test_id("sound-toggle")
    expect(sound).to_have_text("Sound on")

    ben_id = queued(dashboard("c-ben"))
    ben_item = sam.waiting_item(ben_id)
    expect(ben_item).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(ben_item.get_by_test_id("queue-client")).to_have_text("Ben Carter")
    expect(ben_item).not_to_contain_text("Signed-in client")
    expect(ben_item.get_by_test_id("queue-new")).to_have_text("New")
    expect(page).to_have_title(re.compile(r"^\(1\) "))
    expect(page.locator("body")).to_have_attribute("data-chimes", "1")

    sound.click()  # off, and remembered in this browser
    expect(sound).to_have_text("Sound off")
    anna_id = queued(dashboard("c-anna"))
    anna_item = sam.waiting_item(anna_id)
    expect(anna_item).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(page).to_have_title(re.compile(r"^\(2\) "))
    expect(page.locator("body")).to_have_attribute("data-arrivals", "2")
    expect(page.locator("body")).to_have_attribute("data-chimes", "1")  # no chime while off
    # Same priority: the one waiting longest first, numbered, with its waiting time.
    expect(sam.waiting.get_by_test_id("queue-position")).to_have_text(["1.", "2."])
    expect(sam.waiting.get_by_test_id("queue-item").first).to_have_attribute("data-id", ben_id)
    expect(ben_item).to_contain_text(re.compile(r"waiting (< 1|\d+) min"))
    screenshot(page, "queue-new-arrivals")

    sam.open(ben_item)
    expect(ben_item.get_by_test_id("queue-new")).to_have_count(0)
    sam.claim_button.click()
    mine = sam.mine_item(ben_id)
    expect(mine).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(mine.get_by_test_id("queue-client")).to_have_text("Ben Carter")
    # "Mine" is above the waiting ones, in view without scrolling.
    mine_box = page.get_by_test_id("mine-section").bounding_box()
    waiting_box = page.get_by_test_id("waiting-section").bounding_box()
    assert mine_box and waiting_box and mine_box["y"] < waiting_box["y"]
    assert mine_box["y"] + mine_box["height"] <= page.viewport_size["height"]

    page.reload()
    expect(sam.live).to_have_text("Live")
    expect(page.get_by_test_id("sound-toggle")).to_have_text("Sound off")


def test_the_summary_says_what_was_asked_done_and_why_and_saved_replies_fill_in_the_name(
        dashboard, console_page, screenshot):
    ben = dashboard("c-ben")
    ben.open()
    ben.ask("how many credits do I have left?", re.compile("sponsored credits"))
    ben_id = queued(ben, opened=True)

    sam = console_page()
    item = sam.waiting_item(ben_id)
    expect(item).to_be_visible(timeout=LIVE_TIMEOUT)
    sam.open(item)
    summary = sam.page.get_by_test_id("summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_test_id("summary-asked")).to_contain_text(
        "how many credits do I have left?")
    expect(summary.get_by_test_id("summary-did")).to_contain_text("Showed credits: 0 of 6 left")
    expect(summary.get_by_test_id("summary-why")).to_contain_text("Asked for a person")
    # The assistant's activity line is in the console's transcript, never in the widget.
    expect(sam.lines("bot", "activity")).to_contain_text(["Showed credits: 0 of 6 left"])
    expect(ben.list).not_to_contain_text("Showed credits")

    sam.claim_button.click()
    expect(sam.mode).to_have_text("With an agent")
    sam.reply_input.click()
    sam.page.keyboard.press("/")
    canned = sam.page.get_by_test_id("canned")
    expect(canned).to_be_visible()
    expect(canned.get_by_test_id("canned-item")).not_to_have_count(0)
    sam.page.keyboard.type("greet")
    expect(canned.get_by_test_id("canned-item")).to_have_count(1)
    screenshot(sam.page, "saved-replies")
    sam.page.keyboard.press("Enter")
    expect(canned).to_be_hidden()
    expect(sam.reply_input).to_have_value(re.compile(r"^Hi Ben, thanks for waiting"))
    sam.reply_send.click()
    ben.reply("agent", re.compile(r"^Hi Ben, thanks for waiting"), timeout=LIVE_TIMEOUT)

    # An agent's own saved reply: added, then offered with the name filled in.
    title = f"Follow-up {uuid.uuid4().hex[:6]}"
    sam.page.get_by_test_id("canned-button").click()
    sam.page.get_by_test_id("canned-new").click()
    sam.page.get_by_test_id("canned-title").fill(title)
    sam.page.get_by_test_id("canned-text").fill("I'll check with your Hub, {first_name}.")
    sam.page.get_by_test_id("canned-save").click()
    own = canned.get_by_test_id("canned-item").filter(has_text=title)
    expect(own).to_contain_text("yours")
    expect(own).to_contain_text("I'll check with your Hub, Ben.")
    own.click()
    expect(sam.reply_input).to_have_value("I'll check with your Hub, Ben.")


def test_after_handing_back_the_view_stays_open_and_the_history_finds_it_read_only(
        dashboard, console_page, live_gateway, screenshot):
    ben = dashboard("c-ben")
    ben_id = queued(ben)
    sam = console_page()
    item = sam.waiting_item(ben_id)
    expect(item).to_be_visible(timeout=LIVE_TIMEOUT)
    sam.open(item)
    sam.claim_button.click()
    expect(sam.mode).to_have_text("With an agent")
    ticket = f"ticket {uuid.uuid4().hex[:8]}"
    sam.write(f"I'll follow up on {ticket} tomorrow.")
    sam.handback_button.click()

    # The hand-back and what the client is told, then the assistant's next turn, live.
    expect(sam.closed_note).to_contain_text("you see what the client sees next",
                                            timeout=LIVE_TIMEOUT)
    expect(sam.lines("system", "activity").last).to_contain_text(
        "Handed back to the assistant by Sam", timeout=LIVE_TIMEOUT)
    expect(sam.lines("system", "text").last).to_contain_text("back with the assistant",
                                                            timeout=LIVE_TIMEOUT)
    ben.reply("system", "You're back with the assistant", timeout=LIVE_TIMEOUT)
    ben.ask("how many credits do I have left?", re.compile("sponsored credits"))
    expect(sam.lines("client").last).to_have_text(re.compile("how many credits do I have left"),
                                                   timeout=LIVE_TIMEOUT)
    expect(sam.lines("bot", "text").last).to_contain_text("sponsored credits",
                                                          timeout=REPLY_TIMEOUT)
    expect(sam.reply_input).to_be_disabled()
    screenshot(sam.page, "following-after-handback")
    sam.page.get_by_test_id("close-view").click()
    expect(sam.page.get_by_test_id("conversation")).to_be_hidden()

    # The history: found by the words of the agent's reply, and by the client's name.
    sam.page.get_by_test_id("tab-history").click()
    sam.page.get_by_test_id("history-text").fill(ticket)
    sam.page.get_by_test_id("history-search").click()
    found = sam.page.get_by_test_id("history-item")
    expect(found).to_have_count(1)
    expect(found.get_by_test_id("history-name")).to_have_text("Ben Carter")
    expect(found.get_by_test_id("history-item-status")).to_have_text("Handed back")
    sam.page.get_by_test_id("history-text").fill("")
    sam.page.get_by_test_id("history-client").fill("ben carter")
    sam.page.get_by_test_id("history-status").select_option("handed_back")
    sam.page.get_by_test_id("history-search").click()
    expect(sam.page.get_by_test_id("history-list").locator(
        f"[data-testid=history-item][data-id='{ben_id}']")).to_be_visible()
    expect(sam.page.get_by_test_id("history-total")).to_contain_text("conversation")

    sam.page.get_by_test_id("history-list").locator(
        f"[data-testid=history-item][data-id='{ben_id}']").click()
    expect(sam.closed_note).to_contain_text("From the history: read-only")
    expect(sam.transcript).to_contain_text(ticket)
    expect(sam.reply_input).to_be_disabled()
    expect(sam.claim_button).to_be_hidden()
    expect(sam.handback_button).to_be_hidden()
    expect(sam.page.get_by_test_id("summary")).to_contain_text("Asked for a person")
    expect(sam.page.get_by_test_id("context-hidden")).to_be_visible()
    screenshot(sam.page, "history")
    actions = [row[0] for row in audit_rows(live_gateway.database_url, ben_id)]
    assert "view_history" in actions
    assert any(row[0] == "search_history" for row in audit_rows(live_gateway.database_url))

"""In a real browser, in front of the real assistant: what the assistant did not understand
reaches a lead's review queue (/console/review), who labels it and exports it as training data;
a client gets a copy of their conversations and erases them from the widget (Rasa's tracker of
the conversation is erased too)."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.helpers.browser import ConsolePage, exactly
from tests.helpers.gateway import Gateway
from tests.helpers.gateway_store import add_agent, make_lead
from tests.helpers.stack import Assistant

LEAD = ("lee@support.example", "lees-own-password-123", "Lee")
SIGNED_OUT_CHECK = r"/console/api/me\b.*401|401.*/console/api/me\b"
MISSED = "hæ hvað segirðu"  # Icelandic "hi, how's it going": the model has no Icelandic greeting


def test_a_lead_labels_what_the_assistant_missed_and_exports_it(dashboard, open_context,
                                                                 live_gateway: Gateway,
                                                                 screenshot, expect_console_error):
    expect_console_error(SIGNED_OUT_CHECK)  # the console's login page asks /me first
    widget = dashboard("c-ben")
    widget.open()
    widget.ask(MISSED, re.compile("didn't quite get that", re.IGNORECASE))

    add_agent(live_gateway.database_url, *LEAD[:2], LEAD[2])
    make_lead(live_gateway.database_url, LEAD[0])
    _, page = open_context("lead")
    ConsolePage(page, live_gateway.url).log_in(*LEAD[:2])
    page.goto(f"{live_gateway.url}/console/review")
    item = page.get_by_test_id("review-item").filter(has_text=MISSED)
    expect(item).to_be_visible()
    expect(item).to_contain_text("not understood")
    screenshot(page, "review-queue")

    item.get_by_test_id("review-assign").click()  # no label chosen yet: asked to choose
    expect(page.get_by_test_id("review-status")).to_have_text(
        "Choose an intent or help topic first.")
    item.get_by_test_id("review-label").select_option("greet")
    item.get_by_test_id("review-assign").click()
    expect(page.get_by_test_id("review-item").filter(has_text=MISSED)).to_have_count(0)

    page.get_by_test_id("review-export").click()
    result = page.get_by_test_id("export-result")
    expect(result).to_contain_text(re.compile(r"Wrote 1 example to .*review_\d{8}_\d{6}\.yml"))
    written = Path(re.search(r"to (\S+\.yml)", result.inner_text()).group(1))  # type: ignore[union-attr]
    assert f"- intent: greet\n    examples: |\n      - {MISSED}\n" in written.read_text()


def test_a_plain_agent_is_told_the_review_queue_is_for_leads(console_page, live_gateway: Gateway,
                                                             expect_console_error):
    expect_console_error(r"403")
    console = console_page()
    console.page.goto(f"{live_gateway.url}/console/review")
    expect(console.page.get_by_test_id("review-status")).to_have_text(
        "The review queue is for leads only.")
    expect(console.page.get_by_test_id("review-list")).to_be_hidden()


def test_a_client_gets_a_copy_and_erases_their_conversations(dashboard, assistant: Assistant,
                                                            screenshot):
    """The copy goes to Anna's address (the sandbox's outbox); after *Yes, erase them* the
    widget shows the tombstone, and Rasa's tracker of the conversation has no message left."""
    widget = dashboard("c-anna")
    widget.open()
    widget.ask("how many credits do I have left?", re.compile("credits", re.IGNORECASE))
    widget.ask("send me my chat history", "e-mailed a copy of your")
    emails = assistant.platform("GET", "/api/v1/outbox").json()["emails"]
    sent = [e for e in emails if e["subject"].startswith("Your conversations")]
    assert sent and {a["filename"] for a in sent[0]["attachments"]} == {
        "conversations.json", "conversations.txt"}
    conversation_id = widget.conversation().id
    assert _user_texts(assistant, conversation_id)  # Rasa has the conversation

    question = widget.ask("delete my chat history", "erase all your conversations")
    question.get_by_test_id("widget-button").filter(has_text=exactly("Yes, erase them")).click()
    widget.reply("bot", re.compile(r"Done: I erased \d+ conversation"))
    screenshot(widget.page, "erased")
    stored = widget.conversation().history()
    assert stored[0]["sender"] == "system" and "erased" in stored[0]["text"]
    assert not any("credits" in m["text"] for m in stored)
    assert _user_texts(assistant, conversation_id) == []


def _user_texts(assistant: Assistant, conversation_id: str) -> list[str]:
    """What Rasa's tracker holds of the client's messages (its HTTP API, as the gateway asks)."""
    events = assistant.tracker(conversation_id)["events"]
    return [e.get("text") for e in events if e.get("event") == "user"]

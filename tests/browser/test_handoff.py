"""The whole experience in a real browser: Ben on his dashboard with the widget, Sam in the
Customer Success console, and a second agent who is too late."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.helpers.browser import LIVE_TIMEOUT, WidgetPage, exactly, mark_document, same_document
from tests.helpers.gateway import Gateway, Widget
from tests.helpers.gateway_store import add_agent

CREDITS_ANSWER = re.compile(r"all 6|0 of 6")
IN_THE_QUEUE = re.compile(r"in the queue", re.IGNORECASE)
KIM = ("kim@support.example", "kims-own-password-123", "Kim")


def ben_asks_for_credits_and_presses_book(widget: WidgetPage) -> None:
    """Ben's credits (none left), then the *Book a session* button the answer offers."""
    widget.open()
    expect(widget.status).to_have_text("Our assistant answers right away")
    answer = widget.ask("how many credits do I have left?", CREDITS_ANSWER)
    expect(answer).to_contain_text("Northwind Wellbeing Hub")
    book = answer.get_by_test_id("widget-button").filter(has_text=exactly("Book a session"))
    expect(book).to_be_enabled()

    book.click()
    for button in answer.get_by_test_id("widget-button").all():  # the whole group is used up
        expect(button).to_be_disabled()
    expect(book).to_have_class(re.compile(r"\bchosen\b"))
    expect(widget.message("client", exactly("Book a session"))).to_be_visible()
    who = widget.reply("bot", "Who would you like to book with?")
    expect(who.get_by_test_id("widget-button").filter(has_text="Sara Hansen")).to_be_enabled()


def ben_asks_for_a_person(widget: WidgetPage) -> None:
    """The assistant passes him on and the gateway tells him his place in the queue."""
    who = widget.message("bot", "Who would you like to book with?")
    widget.say("I want to talk to a person")
    widget.reply("bot", "passing you to the Customer Success team")
    widget.reply("system", IN_THE_QUEUE)
    expect(widget.status).to_have_text("In the queue for a person")
    for button in who.get_by_test_id("widget-button").all():  # he moved on: no stale choices
        expect(button).to_be_disabled()


def test_a_client_asks_for_credits_presses_a_button_and_asks_for_a_person(dashboard, screenshot):
    """Ben opens the bubble, hears he has used all 6 credits, presses *Book a session* (its
    buttons disable), then asks for a person and is told he's in the queue."""
    ben = dashboard("c-ben")
    screenshot(ben.page, "dashboard")
    ben_asks_for_credits_and_presses_book(ben)
    ben_asks_for_a_person(ben)
    screenshot(ben.page, "in-the-queue")
    assert ben.shown()[-1]["sender"] == "system"  # the gateway's word on what happens next
    assert ben.conversation().mode() == "waiting"


def test_an_agent_claims_replies_and_hands_back_live_in_both_browsers(
        dashboard, console_page, screenshot):
    """Sam sees Ben's conversation arrive, claims it, reads the transcript and Ben's account,
    notes and replies (live in Ben's widget), hands back, and the assistant answers Ben again;
    Ben's reload keeps it all."""
    ben = dashboard("c-ben")
    ben_asks_for_credits_and_presses_book(ben)
    sam = console_page()
    mark_document(ben.page)
    mark_document(sam.page)

    ben_asks_for_a_person(ben)
    conversation = ben.conversation()
    item = sam.waiting_item(conversation.id)
    expect(item).to_be_visible(timeout=LIVE_TIMEOUT)  # pushed to the console, no reload
    expect(item).to_contain_text("Asked for a person")
    expect(item).to_contain_text("Ben Carter")  # the name, not "Signed-in client"

    sam.open(item)
    expect(sam.mode).to_have_text("Waiting")
    expect(sam.reply_input).to_be_disabled()
    sam.claim_button.click()
    expect(sam.toast).to_contain_text("Claimed")
    expect(sam.mode).to_have_text("With an agent")
    expect(sam.mine_item(conversation.id)).to_be_visible()
    expect(sam.waiting_item(conversation.id)).to_have_count(0)
    expect(sam.claim_button).to_be_hidden()
    expect(sam.reply_input).to_be_enabled()
    ben.reply("system", "Sam from the Customer Success team has joined", timeout=LIVE_TIMEOUT)
    expect(ben.status).to_contain_text("You're chatting with")

    # The whole transcript: Ben's words, the assistant's turns and his button press.
    expect(sam.lines("client").filter(has_text="how many credits do I have left?")).to_be_visible()
    expect(sam.lines("bot").filter(has_text="all 6")).to_be_visible()
    expect(sam.lines("bot").filter(has_text="Who would you like to book with?")).to_be_visible()
    expect(sam.lines("bot").filter(has_text="passing you to the Customer Success team"))\
        .to_be_visible()
    click = sam.lines("client", "button_click")
    expect(click).to_have_count(1)
    expect(click).to_contain_text("Book a session")
    expect(click.locator("[title]")).to_have_attribute("title", "Payload: /book_session")
    expect(sam.lines("client").filter(has_text="I want to talk to a person")).to_be_visible()

    # Ben's account, from the platform: no credits, Sara and Jón, the unpaid invoice.
    expect(sam.context).to_contain_text("Asked for a person")
    expect(sam.context).to_contain_text("Ben Carter")
    expect(sam.page.get_by_test_id("context-credits")).to_contain_text("0 of 6 left")
    expect(sam.context).to_contain_text("Sara Hansen")
    expect(sam.context).to_contain_text("Jón Einarsson")
    expect(sam.context.locator(".ctx-list.invoices")).to_contain_text(re.compile(r"INV-\d{4}-\d+"))
    expect(sam.context).not_to_contain_text("@northwind.example")  # no e-mail address

    note = "Ben is out of credits; check whether invoice INV-2026-0041 is the one he means."
    sam.write(note, note=True)
    expect(sam.lines("agent", "note").filter(has_text=note)).to_be_visible()

    reply = "Hi Ben, Sam here. I can see the unpaid invoice; let's sort it out together."
    sam.write(reply)
    expect(sam.lines("agent", "text").filter(has_text=reply)).to_be_visible()
    answer = ben.reply("agent", reply, timeout=LIVE_TIMEOUT)  # pushed to the widget
    expect(answer).to_contain_text("Sam from Customer Success")
    expect(ben.status).to_have_text("You're chatting with Sam")
    expect(ben.list).not_to_contain_text("INV-2026-0041 is the one he means")  # notes stay inside
    assert note not in [m["text"] for m in conversation.history()]
    screenshot(ben.page, "agent-reply")

    ben.say("Thanks Sam, that's the one.")
    expect(sam.lines("client").filter(has_text="Thanks Sam")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(sam.toast).to_be_hidden()  # (it fades after 5 s) the whole console, for the picture
    screenshot(sam.page, "claimed-with-context")

    sam.handback_button.click()
    expect(sam.toast).to_contain_text("Handed back to the assistant")
    expect(sam.closed_note).to_contain_text("Back with the assistant")
    expect(sam.mine_item(conversation.id)).to_have_count(0)
    ben.reply("system", "You're back with the assistant", timeout=LIVE_TIMEOUT)
    expect(ben.status).to_have_text("Our assistant answers right away")

    connections = ben.ask("who are my connections?", "Sara Hansen")
    expect(connections).to_contain_text("Jón Einarsson")
    assert same_document(ben.page) and same_document(sam.page)  # all of it live, no reload
    screenshot(ben.page, "bot-again")

    before = [(m["sender"], m["seq"], m["text"]) for m in ben.shown()]
    ben.page.reload()
    expect(ben.bubble).to_be_visible()
    ben.open()
    expect(ben.stored).to_have_count(len(before))
    assert [(m["sender"], m["seq"], m["text"]) for m in ben.shown()] == before
    expect(ben.status).to_have_text("Our assistant answers right away")
    screenshot(ben.page, "after-reload")


def waiting_conversation(gateway: Gateway, client_id: str = "c-anna") -> Widget:
    """A conversation that asked for a person (through the widget API) and is in the queue."""
    widget = gateway.widget(client_id)
    sent = widget.say("I want to talk to a person")
    widget.wait_for_reply(sent["seq"], sender="system", containing="queue")
    return widget


def test_a_second_agent_sees_at_once_that_someone_else_took_the_conversation(
        live_gateway, console_page, screenshot):
    """Kim has a waiting conversation open when Sam claims it: her console says so at once and
    offers no claim."""
    add_agent(live_gateway.database_url, *KIM)
    anna = waiting_conversation(live_gateway)
    kim = console_page(KIM[0], KIM[1], role="kim")
    kim.open(kim.waiting_item(anna.id))
    expect(kim.claim_button).to_be_visible()

    sam = console_page()
    sam.open(sam.waiting_item(anna.id))
    sam.claim_button.click()
    expect(sam.toast).to_contain_text("Claimed")

    expect(kim.closed_note).to_have_text("Another agent (Sam) has this conversation.",
                                         timeout=LIVE_TIMEOUT)
    expect(kim.claim_button).to_be_hidden()
    expect(kim.reply_input).to_be_disabled()
    expect(kim.waiting_item(anna.id)).to_have_count(0)
    screenshot(kim.page, "taken")


def test_a_second_agent_whose_claim_loses_the_race_is_told_someone_else_took_it(
        live_gateway, console_page, expect_console_error, screenshot):
    """Kim's console hasn't heard yet that Sam claimed the conversation (her live updates are
    held back): her click on Claim is refused and she is told someone else took it."""
    add_agent(live_gateway.database_url, *KIM)
    kim = console_page(KIM[0], KIM[1], role="kim")
    anna = waiting_conversation(live_gateway)
    # From now on Kim's live updates don't arrive; the reload shows the queue as it is now.
    expect_console_error(r"/console/api/events")
    expect_console_error(r"status of 409 .*/claim")
    expect_console_error(r"status of 403 .*/conversations/")
    kim.page.route("**/console/api/events", lambda route: route.abort())
    kim.page.reload()
    expect(kim.live).to_have_text("Reconnecting…")
    kim.open(kim.waiting_item(anna.id))

    assert live_gateway.console().login().claim(anna.id).status_code == 200  # Sam is faster
    kim.claim_button.click()
    expect(kim.toast).to_have_text("Someone else took this one.")
    expect(kim.closed_note).to_have_text("Another agent has this conversation.")
    expect(kim.claim_button).to_be_hidden()
    expect(kim.reply_input).to_be_disabled()
    screenshot(kim.page, "told")
    assert anna.mode() == "agent"
    line = next(c for c in live_gateway.console().login().queue() if c["id"] == anna.id)
    assert line["assignee"]["name"] == "Sam"

"""Credentials that run out, in a real browser on the real pages: a widget whose conversation key
expired starts over politely without the old messages; a stale sign-in is renewed from the
dashboard's own token URL without losing the chat; the console hides a client's account until
the claim and says why; logging out (here or elsewhere) ends the console's live stream."""
from __future__ import annotations

import re
from datetime import timedelta

import requests
from playwright.sync_api import Request, expect

from tests.helpers.browser import LIVE_TIMEOUT, REPLY_TIMEOUT, ConsolePage, WidgetPage
from tests.helpers.gateway import AGENT_EMAIL, AGENT_PASSWORD, Gateway, Widget
from tests.helpers.gateway_store import age_conversation, audit_rows

CREDITS_ANSWER = re.compile(r"all 6|0 of 6")
ENDED = "Your earlier chat ended after a while without activity"
DAYS = timedelta(days=3)
TOKEN_URL = re.compile(r"/dashboard/c-ben/identity-token$")
REFUSED_SEND = r"status of 401.*/widget/api/messages|/widget/api/messages.*401"
SIGNED_OUT = r"401.*/console/api/|/console/api/.*401"


def token_requests(page) -> list[str]:
    """Every request the page makes to the dashboard's identity-token URL, as it happens."""
    seen: list[str] = []

    def record(request: Request) -> None:
        if TOKEN_URL.search(request.url):
            seen.append(request.url)

    page.on("request", record)
    return seen


def test_days_later_the_widget_starts_over_without_the_old_chat(dashboard, live_gateway,
                                                                screenshot):
    """Ben chatted; three days later, on the same computer, the old key opens nothing: the
    widget says the earlier chat ended and shows none of it."""
    ben = dashboard("c-ben")
    ben.open()
    ben.ask("how many credits do I have left?", CREDITS_ANSWER)
    old = ben.conversation()
    age_conversation(live_gateway.database_url, old.id, key_used=DAYS, identity_verified=DAYS)

    ben.page.reload()
    expect(ben.bubble).to_be_visible()
    ben.open()
    expect(ben.list.get_by_test_id("widget-ended")).to_contain_text(ENDED)
    expect(ben.stored).to_have_count(0)
    expect(ben.list).not_to_contain_text("credits")
    answer = ben.ask("who are my connections?", "Sara Hansen")
    expect(answer).to_be_visible()
    assert ben.conversation().id != old.id
    screenshot(ben.page, "started-over")


def test_a_key_that_expires_while_the_page_is_open_clears_the_chat_and_keeps_the_text(
        dashboard, live_gateway, expect_console_error):
    expect_console_error(REFUSED_SEND)
    ben = dashboard("c-ben")
    ben.open()
    ben.ask("how many credits do I have left?", CREDITS_ANSWER)
    old = ben.conversation()
    age_conversation(live_gateway.database_url, old.id, key_used=DAYS, identity_verified=DAYS)

    ben.input.fill("who are my connections?")
    ben.input.press("Enter")
    expect(ben.list.get_by_test_id("widget-ended")).to_contain_text(ENDED, timeout=LIVE_TIMEOUT)
    expect(ben.input).to_have_value("who are my connections?")  # nothing typed is lost
    expect(ben.list).not_to_contain_text("credits")
    ben.input.press("Enter")
    ben.reply("bot", "Sara Hansen")
    assert ben.conversation().id != old.id


def test_a_stale_sign_in_is_renewed_from_the_dashboard_and_the_chat_goes_on(
        dashboard, live_gateway, expect_console_error):
    """The key is in use but Ben's sign-in is three days old: the widget fetches a fresh token
    from the dashboard's URL, resumes the same conversation and sends the message."""
    expect_console_error(REFUSED_SEND)
    ben = dashboard("c-ben")
    asked = token_requests(ben.page)
    ben.open()
    first = ben.ask("how many credits do I have left?", CREDITS_ANSWER)
    conversation = ben.conversation()
    age_conversation(live_gateway.database_url, conversation.id, identity_verified=DAYS)

    ben.ask("who are my connections?", "Sara Hansen")
    expect(first).to_be_visible()  # the same conversation, all of it still shown
    expect(ben.list.get_by_test_id("widget-ended")).to_have_count(0)
    assert len(asked) == 1
    assert ben.conversation().id == conversation.id


def test_a_page_left_open_past_its_tokens_life_gets_a_fresh_one_before_the_chat_starts(
        open_context, assistant, live_gateway):
    """Ben's dashboard was opened 20 minutes ago (its token lives 15): opening the bubble asks
    the dashboard for a fresh token, and Ben is signed in."""
    _, page = open_context("ben")
    page.clock.install()
    asked = token_requests(page)
    ben = WidgetPage(page, f"{assistant.sandbox}/dashboard/c-ben", live_gateway).load()
    page.clock.fast_forward("20:00")
    ben.open()
    answer = ben.ask("how many credits do I have left?", CREDITS_ANSWER, timeout=REPLY_TIMEOUT)
    expect(answer).to_contain_text("Northwind")
    assert len(asked) == 1


# --- the console ----------------------------------------------------------------------------------

def waiting_conversation(gateway: Gateway, client_id: str = "c-anna") -> Widget:
    widget = gateway.widget(client_id)
    sent = widget.say("I want to talk to a person")
    widget.wait_for_reply(sent["seq"], sender="system", containing="queue")
    return widget


def test_before_the_claim_the_console_says_why_the_account_is_hidden(live_gateway,
                                                                     console_page):
    anna = waiting_conversation(live_gateway)
    sam = console_page()
    sam.open(sam.waiting_item(anna.id))
    hidden = sam.page.get_by_test_id("context-hidden")
    expect(hidden).to_contain_text("shown only to the agent who claims the conversation")
    expect(sam.page.get_by_test_id("context-credits")).to_have_count(0)
    expect(sam.context).not_to_contain_text("Anna")

    sam.claim_button.click()
    expect(sam.page.get_by_test_id("context-credits")).to_contain_text("4 of 6 left")
    expect(sam.context).to_contain_text("Anna")
    expect(hidden).to_have_count(0)
    sam.page.wait_for_timeout(1000)  # (the refreshes that follow a claim)
    actions = [row[0] for row in audit_rows(live_gateway.database_url, anna.id)]
    assert actions.count("view_context") == 1  # read once, after the claim
    assert actions.index("claim") < actions.index("view_context")
    assert "view_transcript" in actions


TRACK_EVENT_SOURCES = """(() => {
    const Original = window.EventSource;
    window.__eventSources = [];
    window.EventSource = function (...args) {
        const source = new Original(...args);
        window.__eventSources.push(source);
        return source;
    };
    window.EventSource.prototype = Original.prototype;
})();"""


def test_signing_out_closes_the_live_stream(open_context, live_gateway, expect_console_error):
    expect_console_error(SIGNED_OUT)
    context, page = open_context("agent")
    context.add_init_script(TRACK_EVENT_SOURCES)
    console = ConsolePage(page, live_gateway.url).log_in(AGENT_EMAIL, AGENT_PASSWORD)
    assert page.evaluate("window.__eventSources.some(s => s.readyState === 1)")
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    assert page.evaluate("window.__eventSources.every(s => s.readyState === 2)")
    expect(console.live).to_be_hidden()


def test_a_session_ended_elsewhere_brings_back_the_login_form(console_page, live_gateway,
                                                               expect_console_error):
    """Signed out from another tab (the same session): the gateway ends this console's stream,
    and the console, finding the session gone, shows the login form."""
    expect_console_error(SIGNED_OUT)
    sam = console_page()
    cookies = {c["name"]: c["value"] for c in sam.page.context.cookies()}
    ended = requests.post(f"{live_gateway.url}/console/api/logout", cookies=cookies, timeout=10,
                          headers={"X-Requested-With": "console"})
    assert ended.status_code == 200
    expect(sam.page.get_by_test_id("login-submit")).to_be_visible(timeout=LIVE_TIMEOUT)

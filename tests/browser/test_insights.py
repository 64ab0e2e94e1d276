"""Feedback and the team's report in a real browser: a client tells the assistant an answer
helped (a double click counts once), a lead reads the report (its figures on the seeded set of
tests/helpers/insights_seed.py, the plots, the CSV link) and an agent has no way in.
The README's screenshots are taken here: docs/screenshots/feedback.png, and insights.png (of two
weeks of made-up conversations)."""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from bot.core import texts
from bot.processes import ROOT
from bot.store.db import Database
from bot.store.models import ConversationEvent
from tests.helpers.browser import exactly
from tests.helpers.gateway import LEAD_PASSWORD, Gateway
from tests.helpers.insights_seed import seed, seed_demo

LEAD_EMAIL = "lead@support.example"
README_SCREENSHOT = ROOT / "docs" / "screenshots" / "insights.png"
FEEDBACK_SCREENSHOT = ROOT / "docs" / "screenshots" / "feedback.png"


@pytest.fixture(scope="module")
def seeded(live_gateway: Gateway) -> None:
    db = Database.from_url(live_gateway.database_url)
    try:
        db.run_sync(seed)
        db.run_sync(seed_demo)
    finally:
        db.dispose()


def _feedback_events(gateway: Gateway, conversation_id: str) -> list[int | None]:
    db = Database.from_url(gateway.database_url)
    try:
        return db.run_sync(lambda session: list(session.scalars(
            select(ConversationEvent.value).where(
                ConversationEvent.conversation_id == conversation_id,
                ConversationEvent.kind == "feedback"))))
    finally:
        db.dispose()


def test_a_client_says_that_helped_once_even_with_a_double_click(dashboard, live_gateway,
                                                                  screenshot):
    anna = dashboard("c-anna")
    anna.open()
    anna.say("how do I add a credit card?")
    question = anna.reply("bot", exactly(texts.FEEDBACK_QUESTION))
    buttons = question.get_by_test_id("widget-button")
    expect(buttons).to_have_text(["That helped", "I need more help"])
    buttons.filter(has_text=exactly("That helped")).dblclick()
    anna.reply("bot", texts.FEEDBACK_THANKS)
    shutil.copyfile(screenshot(anna.page, "that-helped"), FEEDBACK_SCREENSHOT)
    conversation = anna.conversation()
    texts_now = [m["text"] for m in conversation.replies_after(0, settle=1.5)]
    assert texts_now.count(texts.FEEDBACK_THANKS) == 1
    assert _feedback_events(live_gateway, conversation.id) == [1]


def _figure(page: Page, key: str):
    return page.get_by_test_id(f"figure-{key}").locator(".value")


def test_the_lead_reads_the_report_and_an_agent_has_no_link(seeded, console_page, live_gateway,
                                                            screenshot):
    lead = console_page(LEAD_EMAIL, LEAD_PASSWORD, role="lead")
    link = lead.page.get_by_test_id("insights-link")
    expect(link).to_be_visible()
    link.click()
    page = lead.page
    expect(page).to_have_url(re.compile(r"/console/insights"))
    page.get_by_test_id("insights-start").fill("2026-11-01")
    page.get_by_test_id("insights-end").fill("2026-11-07")
    page.get_by_test_id("insights-show").click()
    expect(_figure(page, "conversations")).to_have_text("13")
    expect(_figure(page, "involvement")).to_have_text("92%")
    expect(_figure(page, "resolution")).to_have_text("67%")
    expect(_figure(page, "handoff")).to_have_text("31%")
    expect(_figure(page, "fallback")).to_have_text("17%")
    expect(_figure(page, "first-reply")).to_have_text("fewer than 5")
    expect(_figure(page, "resolution-time")).to_have_text("4 min")
    expect(_figure(page, "csat")).to_have_text("60%")
    expect(_figure(page, "rating")).to_have_text("3.8")
    topics = page.get_by_test_id("insights-topics").locator("tbody tr")
    expect(topics).to_have_text([re.compile(r"Help: adding card\s*6\s*67%\s*17%"),
                                 re.compile(r"Credits left\s*5\s*60%\s*0%")])
    for plot in ("insights-days-plot", "insights-topics-plot"):
        image = page.get_by_test_id(plot)
        expect(image).to_have_attribute("src", re.compile(r"start=2026-11-01"))
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=image.element_handle())
    expect(page.get_by_test_id("insights-csv")).to_have_attribute(
        "href", re.compile(r"insights\.csv\?start=2026-11-01&end=2026-11-07"))

    page.get_by_test_id("insights-channel").select_option("telegram")
    page.get_by_test_id("insights-show").click()
    expect(page.get_by_test_id("insights-too-few")).to_contain_text("fewer than 5")

    page.goto(f"{live_gateway.url}/console/insights?start=2026-10-12&end=2026-10-25")
    expect(page.get_by_test_id("figure-csat")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 1000})
    for plot in ("insights-days-plot", "insights-topics-plot"):
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=page.get_by_test_id(plot).element_handle())
    shutil.copyfile(screenshot(page, "report", full_page=True), README_SCREENSHOT)

    agent = console_page(role="agent")
    expect(agent.page.get_by_test_id("live-status")).to_have_text("Live")
    expect(agent.page.get_by_test_id("insights-link")).to_have_count(0)
    assert agent.page.request.get(f"{live_gateway.url}/console/insights").status == 403
    assert agent.page.request.get(f"{live_gateway.url}/console/api/insights").status == 403

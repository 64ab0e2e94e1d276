"""Page objects for the browser tests (tests/browser): the support widget on a demo dashboard and
the Customer Success console, by their `data-testid`s. Playwright's CSS locators pierce the
widget's open Shadow DOM. Every wait is Playwright's auto-waiting `expect`, with room for a slow
2-core machine (a Rasa turn through the actions takes up to a few seconds there).
"""
from __future__ import annotations

import re

import requests
from playwright.sync_api import Locator, Page, expect

from tests.helpers.gateway import Gateway, Widget

EXPECT_TIMEOUT = 15_000  # ms: every `expect` and action unless said (set in tests/browser)
REPLY_TIMEOUT = 30_000   # ms: a turn through the gateway, Rasa, the actions and the platform
LIVE_TIMEOUT = 15_000    # ms: something pushed over SSE (already decided, only delivered)


def exactly(text: str) -> re.Pattern[str]:
    """A whole-text match for `has_text` (which otherwise matches a part, case-insensitively)."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


class WidgetPage:
    """The blue bubble and its chat panel, as the person on the page sees them."""

    def __init__(self, page: Page, url: str, gateway: Gateway) -> None:
        self.page, self.url, self.gateway = page, url, gateway
        self.bubble = page.get_by_test_id("widget-bubble")
        self.panel = page.get_by_test_id("widget-panel")
        self.close_button = page.get_by_test_id("widget-close")
        self.status = page.get_by_test_id("widget-status")
        self.notice = page.get_by_test_id("widget-notice")
        self.list = page.get_by_test_id("widget-messages")
        self.messages = page.get_by_test_id("widget-message")
        self.typing = page.get_by_test_id("widget-typing")
        self.input = page.get_by_test_id("widget-input")
        self.send_button = page.get_by_test_id("widget-send")
        self.counter = page.get_by_test_id("widget-counter")

    def load(self) -> WidgetPage:
        self.page.goto(self.url)
        expect(self.bubble).to_be_visible()
        return self

    def open(self) -> WidgetPage:
        self.bubble.click()
        expect(self.panel).to_be_visible()
        expect(self.input).to_be_focused()
        return self

    @property
    def stored(self) -> Locator:
        """Every message shown that the gateway stored (optimistic copies have no seq yet)."""
        return self.list.locator("[data-testid=widget-message][data-seq]")

    def by(self, sender: str) -> Locator:
        """Messages from `sender` (client, bot, agent, system) that the gateway stored."""
        return self.list.locator(f"[data-testid=widget-message][data-sender={sender}][data-seq]")

    def message(self, sender: str, text: str | re.Pattern[str]) -> Locator:
        """The last stored message from `sender` whose text contains `text` (or matches it)."""
        body = self.page.get_by_test_id("widget-message-text").filter(has_text=text)
        return self.by(sender).filter(has=body).last

    def ask(self, text: str, answer: str | re.Pattern[str], sender: str = "bot",
            timeout: int = REPLY_TIMEOUT) -> Locator:
        """Sends `text` and waits for a *new* message from `sender` containing `answer`."""
        answers = self.by(sender).filter(
            has=self.page.get_by_test_id("widget-message-text").filter(has_text=answer))
        before = answers.count()
        self.say(text)
        expect(answers.nth(before)).to_be_visible(timeout=timeout)
        return answers.nth(before)

    def say(self, text: str) -> Locator:
        """Types and sends with Enter; returns the client's message once the gateway stored it."""
        self.input.fill(text)
        self.input.press("Enter")
        stored = self.message("client", exactly(text) if len(text) < 200 else text[:200])
        expect(stored).to_be_visible(timeout=LIVE_TIMEOUT)
        return stored

    def reply(self, sender: str, text: str | re.Pattern[str], timeout: int = REPLY_TIMEOUT
              ) -> Locator:
        """Waits until a message from `sender` containing `text` is shown; returns it."""
        found = self.message(sender, text)
        expect(found).to_be_visible(timeout=timeout)
        return found

    def shown(self) -> list[dict[str, str | None]]:
        """What the list shows now: sender, seq and text (without the screen-reader prefix)."""
        return self.messages.evaluate_all("""els => els.map(el => ({
            sender: el.dataset.sender, seq: el.dataset.seq || null, id: el.dataset.id || null,
            text: el.querySelector('[data-testid=widget-message-text]').textContent}))""")

    def conversation(self) -> Widget:
        """This page's conversation through the widget API (its key and identity token, as the
        widget holds them), to check what the gateway stored."""
        held = self.page.evaluate("""() => {
            const tag = document.querySelector('script[data-gateway]');
            const find = (store) => {
                for (let i = 0; i < store.length; i++) {
                    const name = store.key(i);
                    if (name.startsWith('wellbeing-widget:')) return store.getItem(name);
                }
                return null;
            };
            return {token: tag.getAttribute('data-identity-token') || null,
                    key: find(window.localStorage) || find(window.sessionStorage)};
        }""")
        assert held["key"], "the widget has no conversation yet"
        response = requests.post(f"{self.gateway.url}/widget/api/conversations",
                                 json={"identity_token": held["token"],
                                       "conversation_key": held["key"]}, timeout=10)
        assert response.status_code == 200, response.text
        return Widget(self.gateway.url, response.json(), held["token"])


def mark_document(page: Page) -> None:
    """Leaves a mark in the page's document: `same_document` tells whether it was reloaded."""
    page.evaluate("window.__testMark = 'not reloaded'")


def same_document(page: Page) -> bool:
    return page.evaluate("window.__testMark === 'not reloaded'")


class ConsolePage:
    """The Customer Success console, as one agent sees it."""

    def __init__(self, page: Page, gateway_url: str) -> None:
        self.page, self.url = page, f"{gateway_url}/console"
        self.live = page.get_by_test_id("live-status")
        self.waiting = page.get_by_test_id("queue-list")
        self.mine = page.get_by_test_id("mine-list")
        self.transcript = page.get_by_test_id("transcript")
        self.context = page.get_by_test_id("context-panel")
        self.mode = page.get_by_test_id("conversation-mode")
        self.claim_button = page.get_by_test_id("claim")
        self.handback_button = page.get_by_test_id("handback")
        self.resolve_button = page.get_by_test_id("resolve")
        self.note_toggle = page.get_by_test_id("note-toggle")
        self.reply_input = page.get_by_test_id("reply-input")
        self.reply_send = page.get_by_test_id("reply-send")
        self.toast = page.get_by_test_id("toast")
        self.closed_note = page.get_by_test_id("closed-note")

    def log_in(self, email: str, password: str) -> ConsolePage:
        self.page.goto(self.url)
        self.page.get_by_test_id("login-email").fill(email)
        self.page.get_by_test_id("login-password").fill(password)
        self.page.get_by_test_id("login-submit").click()
        expect(self.live).to_have_text("Live")
        return self

    def waiting_item(self, conversation_id: str) -> Locator:
        return self.waiting.locator(f"[data-testid=queue-item][data-id='{conversation_id}']")

    def mine_item(self, conversation_id: str) -> Locator:
        return self.mine.locator(f"[data-testid=queue-item][data-id='{conversation_id}']")

    def open(self, item: Locator) -> None:
        item.click()
        expect(item).to_have_attribute("aria-current", "true")
        expect(self.transcript.get_by_test_id("transcript-message").first).to_be_visible()

    def lines(self, sender: str | None = None, kind: str | None = None) -> Locator:
        selector = "[data-testid=transcript-message]"
        selector += f"[data-sender={sender}]" if sender else ""
        selector += f"[data-kind={kind}]" if kind else ""
        return self.transcript.locator(selector)

    def write(self, text: str, note: bool = False) -> None:
        """Sends a reply (or, with `note`, an internal note) from the reply box."""
        if note:
            self.note_toggle.click()
            expect(self.note_toggle).to_have_attribute("aria-pressed", "true")
        self.reply_input.fill(text)
        self.reply_send.click()
        expect(self.reply_input).to_have_value("", timeout=LIVE_TIMEOUT)
        if note:
            self.note_toggle.click()
            expect(self.note_toggle).to_have_attribute("aria-pressed", "false")

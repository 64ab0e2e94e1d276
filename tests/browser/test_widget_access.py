"""The widget with the keyboard alone, on a phone-sized screen, and for a visitor who is not
signed in."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.helpers.browser import WidgetPage

PHONE = {"width": 390, "height": 844}


def bubble_is_focused(widget: WidgetPage) -> bool:
    return widget.bubble.evaluate("el => el.getRootNode().activeElement === el")


def test_the_widget_works_with_the_keyboard_alone(dashboard, screenshot):
    """Tab reaches the bubble, Enter opens the chat with the cursor in the message box, Enter
    sends, and Escape closes it with the focus back on the bubble."""
    visitor = dashboard("signed-out")
    for _ in range(30):
        visitor.page.keyboard.press("Tab")
        if bubble_is_focused(visitor):
            break
    else:
        raise AssertionError("Tab never reached the chat bubble")
    expect(visitor.bubble).to_have_attribute("aria-label", "Open support chat")
    expect(visitor.bubble).to_have_attribute("aria-expanded", "false")

    visitor.page.keyboard.press("Enter")
    expect(visitor.panel).to_be_visible()
    expect(visitor.bubble).to_have_attribute("aria-expanded", "true")
    expect(visitor.input).to_be_focused()
    visitor.page.keyboard.type("how do I reset my password?")
    visitor.page.keyboard.press("Enter")
    visitor.reply("bot", "reset a forgotten password")
    expect(visitor.input).to_be_focused()
    screenshot(visitor.page, "open")

    visitor.page.keyboard.press("Escape")
    expect(visitor.panel).to_be_hidden()
    expect(visitor.bubble).to_have_attribute("aria-expanded", "false")
    assert bubble_is_focused(visitor)

    visitor.page.keyboard.press("Enter")  # and back again, the conversation still there
    expect(visitor.panel).to_be_visible()
    expect(visitor.message("bot", "reset a forgotten password")).to_be_visible()
    visitor.page.keyboard.press("Escape")
    expect(visitor.panel).to_be_hidden()
    assert bubble_is_focused(visitor)


def test_on_a_phone_the_chat_fills_the_screen(dashboard, screenshot):
    """At 390×844 the open chat covers the whole screen (the bubble steps aside) and the close
    button brings the page back."""
    ben = dashboard("c-ben", viewport=PHONE, device_scale_factor=2, is_mobile=True,
                    has_touch=True)
    screenshot(ben.page, "closed")
    ben.bubble.tap()
    expect(ben.panel).to_be_visible()
    ben.page.wait_for_function("""([width, height]) => {
        const panel = document.querySelector('wellbeing-support-widget').shadowRoot
            .querySelector('[data-testid=widget-panel]');
        const box = panel.getBoundingClientRect();
        return Math.abs(box.left) < 1 && Math.abs(box.top) < 1
            && Math.abs(box.width - width) < 1 && Math.abs(box.height - height) < 1;
    }""", arg=[PHONE["width"], PHONE["height"]])
    expect(ben.bubble).to_be_hidden()
    ben.ask("how many credits do I have left?", re.compile(r"all 6|0 of 6"))
    screenshot(ben.page, "open")

    ben.close_button.tap()
    expect(ben.panel).to_be_hidden()
    expect(ben.bubble).to_be_visible()


def test_a_visitor_who_is_not_signed_in_gets_help_topics_and_is_asked_to_sign_in(
        dashboard, screenshot):
    """Signed out, a question about the account is answered with how to sign in, and a help
    topic is answered as usual."""
    visitor = dashboard("signed-out")
    visitor.open()
    expect(visitor.panel).to_contain_text("You're not signed in")

    sign_in = visitor.ask("how many credits do I have left?", "Please sign in")
    expect(sign_in).to_contain_text("I can't see your account")
    link = sign_in.locator("a")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("href", re.compile(r"^https?://"))
    expect(visitor.list).not_to_contain_text("0 of 6")

    visitor.ask("how do I reset my password?", "reset a forgotten password")
    screenshot(visitor.page, "answers")
    # A signed-out visitor's conversation lasts only for the browser session.
    assert visitor.page.evaluate("""() => Object.keys(window.localStorage)
        .filter(k => k.startsWith('wellbeing-widget:')).length""") == 0
    assert visitor.conversation().started["signed_in"] is False

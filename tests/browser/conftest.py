"""Real headless Chromium (Debian's `chromium`, driven by the `playwright` Python package) on the
demo client dashboard and the Customer Success console, in front of the real assistant.

- `browser`: one Chromium per test module (Playwright's sync API; see the fixture). Without a
  `chromium` on the PATH the tests skip with the reason, except under CI=true, where that fails
  the run.
- `open_context`: `open_context("ben")` → a fresh browser context (its own storage and cookies:
  one person) and its page. Each role gets its own. Every page's dialogs (`alert`…), uncaught
  errors and console errors fail the test at teardown, except the console errors the test names
  with `expect_console_error(...)`.
- `screenshot`: `screenshot(page, "what")` saves test-artifacts/screenshots/<test>--<what>.png.
- `dashboard`, `console_page`: a client's dashboard with the widget, an agent's console, logged in.
Everything talks to `live_gateway` (tests/helpers/live_gateway.py), where the sandbox's dashboards
point their widget. The demo hub is reset before each test and the team's queue emptied after it.
The pages are the real ones, served by the sandbox and the gateway (no test pages).
"""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Page,
    expect,
    sync_playwright,
)

from bot.processes import ROOT
from tests.helpers.browser import EXPECT_TIMEOUT, ConsolePage, WidgetPage
from tests.helpers.gateway import AGENT_EMAIL, AGENT_PASSWORD, Gateway
from tests.helpers.stack import Assistant

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
# What the signed-out console logs once at start-up: its `/me` check answers 401.
SIGNED_OUT_CHECK = r"/console/api/me\b.*401|401.*/console/api/me\b"


# One Chromium per test module, not per session: while Playwright's sync API is running, its event
# loop counts as this thread's running loop, and every later test calling asyncio.run() (tests/core)
# would fail with "cannot be called from a running event loop".
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per test module, closed after it: Playwright's sync API keeps an event loop
    running in this thread while it is open, and `asyncio.run` in any later test (tests/core)
    would fail. (No wider scope: tests/browser is not a Python package, so pytest would make a
    package scope the session's.)"""
    executable = shutil.which("chromium")
    if executable is None:
        reason = "no `chromium` on the PATH (Debian: apt-get install chromium; `make browser`)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    expect.set_options(timeout=EXPECT_TIMEOUT)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Problems:
    """Uncaught page errors and console errors, minus the expected ones."""

    expected: list[re.Pattern[str]] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)   # alert(), confirm(), … (none expected)

    def console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        self.seen.append(f"console error: {message.text} (at {where})")

    def dialog(self, role: str, dialog: Dialog) -> None:
        self.dialogs.append(f"{role}: {dialog.type} dialog: {dialog.message!r}")
        dialog.dismiss()

    def unexpected(self) -> list[str]:
        return self.dialogs + [line for line in self.seen
                               if not any(pattern.search(line) for pattern in self.expected)]


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def expect_console_error(problems: Problems) -> Callable[[str], None]:
    """Name a console error the test provokes on purpose (a regular expression)."""
    return lambda pattern: problems.expected.append(re.compile(pattern))


@pytest.fixture
def open_context(browser: Browser, problems: Problems
                 ) -> Iterator[Callable[..., tuple[BrowserContext, Page]]]:
    contexts: list[BrowserContext] = []

    def open_one(role: str, **options) -> tuple[BrowserContext, Page]:
        context = browser.new_context(viewport=options.pop("viewport", DESKTOP), **options)
        context.set_default_timeout(EXPECT_TIMEOUT)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.seen.append(f"{role}: page error: {error}"))
        page.on("console", problems.console)
        page.on("dialog", lambda dialog: problems.dialog(role, dialog))
        return context, page

    yield open_one
    for context in contexts:
        context.close()
    unexpected = problems.unexpected()
    assert not unexpected, "errors in the browser:\n" + "\n".join(unexpected)


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")

    def save(page: Page, what: str, **options) -> Path:
        path = SCREENSHOTS / f"{test}--{what}.png"
        page.screenshot(path=str(path), **options)
        return path

    return save


@pytest.fixture(autouse=True)
def fresh_demo_hub_and_empty_queue(assistant: Assistant, live_gateway: Gateway) -> Iterator[None]:
    """Every test starts from the seeded demo hub (Ben: 0 of 6 credits, one unpaid invoice) and
    leaves the team's queue empty (what it handed over is resolved), so the next one starts
    first in the queue with nothing else in the console."""
    assistant.reset_demo_hub()
    yield
    empty_the_queue(live_gateway)


def empty_the_queue(gateway: Gateway) -> None:
    console = gateway.console().login()
    for line in console.queue():
        if line["mode"] == "waiting":
            console.claim(line["id"])
        console.resolve(line["id"])
    assert console.queue() == []


@pytest.fixture
def dashboard(assistant: Assistant, live_gateway: Gateway, open_context
              ) -> Callable[..., WidgetPage]:
    """`dashboard("c-ben")` → a new person on Ben's dashboard (`"signed-out"`: nobody)."""

    def visit(client: str, role: str | None = None, **options) -> WidgetPage:
        _, page = open_context(role or client, **options)
        widget = WidgetPage(page, f"{assistant.sandbox}/dashboard/{client}", live_gateway)
        widget.load()
        return widget

    return visit


@pytest.fixture
def console_page(assistant: Assistant, live_gateway: Gateway, open_context,
                 expect_console_error) -> Callable[..., ConsolePage]:
    """`console_page()` → a new browser logged into the console as the demo agent (or as given)."""
    expect_console_error(SIGNED_OUT_CHECK)

    def log_in(email: str = AGENT_EMAIL, password: str = AGENT_PASSWORD,
               role: str = "agent") -> ConsolePage:
        _, page = open_context(role)
        console = ConsolePage(page, live_gateway.url)
        console.log_in(email, password)
        return console

    return log_in

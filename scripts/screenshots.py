"""Screenshots of the widget and the console for the README, from the real thing.

Starts the demo stack on free ports (the sandbox with a fresh demo hub, the action server, Rasa
with the newest model in models/, the gateway with a fresh store), seeds a realistic state through
the widget and the console in headless Chromium (Debian's `chromium` + playwright, as the browser
tests), writes docs/screenshots/*.png, and stops everything it started.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Needs a trained model (`make run` or scripts/train.py makes one).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.processes import (  # noqa: E402 - after the path is set
    Ports,
    ProcessSpec,
    SharedSecrets,
    actions_process,
    gateway_process,
    health_urls,
    rasa_process,
    sandbox_process,
)
from envsettings.generated import new_secret  # noqa: E402

AGENT_EMAIL, AGENT_NAME = "agent@support.example", "Sam"
DESKTOP = {"width": 1440, "height": 900}
WIDGET_VIEW = {"width": 1100, "height": 820}
WAIT = 60_000  # ms: a turn through Rasa on a busy machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running(specs: list[tuple[ProcessSpec, str, dict[str, str]]], folder: Path,
            timeout: float = 300) -> Iterator[None]:
    """Each process started, then waited for until healthy; all stopped at the end."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        for spec, health, env in specs:
            log = (folder / f"{spec.name}.log").open("wb")
            started.append(subprocess.Popen(spec.argv, cwd=ROOT, stdout=log,
                                            stderr=subprocess.STDOUT,
                                            env={**os.environ, **spec.env, **env}))
            deadline = time.monotonic() + timeout
            while True:
                if started[-1].poll() is not None:
                    raise RuntimeError(f"{spec.name} exited; see {folder / spec.name}.log")
                with contextlib.suppress(requests.RequestException):
                    if requests.get(health, timeout=2).ok:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{spec.name} not healthy; see {folder / spec.name}.log")
                time.sleep(0.5)
        yield
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def newest_model() -> Path:
    models = sorted((ROOT / "models").glob("model-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit("No model in models/: run `make run` or scripts/train.py first.")
    return models[-1]


def stack(folder: Path) -> tuple[list[tuple[ProcessSpec, str, dict[str, str]]], Ports, str]:
    ports = Ports(rasa=free_port(), actions=free_port(), sandbox=free_port(), gateway=free_port())
    shared = SharedSecrets.generate()
    widget_secret, password = new_secret(), new_secret(16)
    gateway_url = f"http://127.0.0.1:{ports.gateway}"
    urls = health_urls(ports)
    endpoints = folder / "endpoints.yml"
    endpoints.write_text((ROOT / "endpoints.yml").read_text().replace(
        "db: var/rasa-tracker.db", f"db: {folder / 'tracker.db'}"))
    always_open = {"SUPPORT_OPEN_HOUR": "0", "SUPPORT_CLOSE_HOUR": "24",
                   "SUPPORT_DAYS": "mon,tue,wed,thu,fri,sat,sun"}
    specs = [
        (sandbox_process(ports, ["--reset"]), urls["sandbox"],
         {"SANDBOX_DATABASE_URL": f"sqlite:///{folder / 'sandbox.db'}",
          "WIDGET_TOKEN_SECRET": widget_secret, "GATEWAY_PUBLIC_URL": gateway_url}),
        (actions_process(ports, shared), urls["actions"], {}),
        (rasa_process(ports, newest_model(), shared, endpoints=endpoints), urls["rasa"], {}),
        (gateway_process(ports, shared), urls["gateway"],
         {"GATEWAY_DATABASE_URL": f"sqlite:///{folder / 'gateway.db'}",
          "WIDGET_TOKEN_SECRET": widget_secret, "DEMO_AGENT_EMAIL": AGENT_EMAIL,
          "DEMO_AGENT_PASSWORD": password, "DEMO_AGENT_NAME": AGENT_NAME,
          "WIDGET_ALLOWED_ORIGINS": f"http://127.0.0.1:{ports.sandbox}",
          "GATEWAY_PUBLIC_URL": gateway_url, **always_open}),
    ]
    return specs, ports, password


class Client:
    """A client on their dashboard, with the widget open."""

    def __init__(self, page: Page, sandbox: str, client_id: str) -> None:
        self.page = page
        page.goto(f"{sandbox}/dashboard/{client_id}")
        page.get_by_test_id("widget-bubble").click()
        expect(page.get_by_test_id("widget-input")).to_be_focused()

    def say(self, text: str, answer: str | re.Pattern[str], sender: str = "bot") -> None:
        before = self.page.locator(f"[data-testid=widget-message][data-sender={sender}]").count()
        self.page.get_by_test_id("widget-input").fill(text)
        self.page.get_by_test_id("widget-input").press("Enter")
        shown = self.page.locator(f"[data-testid=widget-message][data-sender={sender}]")
        expect(shown.nth(before)).to_be_visible(timeout=WAIT)
        expect(shown.filter(has_text=answer).last).to_be_visible(timeout=WAIT)


class Agent:
    def __init__(self, page: Page, gateway: str, password: str) -> None:
        self.page = page
        page.goto(f"{gateway}/console")
        page.get_by_test_id("login-email").fill(AGENT_EMAIL)
        page.get_by_test_id("login-password").fill(password)
        page.get_by_test_id("login-submit").click()
        expect(page.get_by_test_id("live-status")).to_have_text("Live")

    def take(self, name: str) -> None:
        """Open the waiting conversation of the client called `name`, and claim it."""
        item = self.page.get_by_test_id("queue-list").get_by_test_id("queue-item").filter(
            has_text=name)
        expect(item).to_be_visible(timeout=WAIT)
        item.click()
        self.page.get_by_test_id("claim").click()
        expect(self.page.get_by_test_id("conversation-mode")).to_have_text("With an agent")

    def write(self, text: str) -> None:
        box = self.page.get_by_test_id("reply-input")
        box.fill(text)
        box.press("Enter")
        expect(box).to_have_value("", timeout=WAIT)


def shoot(out: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="screenshots-"))
    specs, ports, password = stack(folder)
    sandbox, gateway = f"http://127.0.0.1:{ports.sandbox}", f"http://127.0.0.1:{ports.gateway}"
    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("No `chromium` on the PATH (Debian: apt-get install chromium).")
    out.mkdir(parents=True, exist_ok=True)
    with running(specs, folder), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        expect.set_options(timeout=WAIT)
        sam = Agent(browser.new_context(viewport=DESKTOP).new_page(), gateway, password)

        # Yesterday's work, now in the history: Chloe's question, resolved with a promise.
        chloe = Client(browser.new_context(viewport=WIDGET_VIEW).new_page(), sandbox, "c-chloe")
        chloe.say("I want to talk to a person", re.compile("queue", re.I), sender="system")
        sam.take("Chloe")
        sam.write("Hi Chloe, I've asked your Hub about extra credits; I'll follow up tomorrow.")
        sam.page.get_by_test_id("resolve").click()
        expect(sam.page.get_by_test_id("conversation-mode")).to_have_text("Resolved")

        # Ben: credits, a booking question, then a person.
        ben = Client(browser.new_context(viewport=WIDGET_VIEW).new_page(), sandbox, "c-ben")
        ben.say("how many credits do I have left?", re.compile("sponsored credits"))
        ben.say("I want to talk to a person", re.compile("queue", re.I), sender="system")
        sam.take("Ben")
        sam.page.get_by_test_id("reply-input").click()
        sam.page.keyboard.press("/")
        expect(sam.page.get_by_test_id("canned")).to_be_visible()
        sam.page.keyboard.type("credits")
        expect(sam.page.get_by_test_id("toast")).to_be_hidden(timeout=WAIT)
        sam.page.screenshot(path=str(out / "console-saved-replies.png"))
        sam.page.keyboard.press("Enter")
        expect(sam.page.get_by_test_id("reply-input")).not_to_have_value("")
        sam.page.get_by_test_id("reply-send").click()
        expect(sam.page.get_by_test_id("reply-input")).to_have_value("", timeout=WAIT)
        ben.page.locator("[data-testid=widget-message][data-sender=agent]").last.wait_for()
        ben.say("Thanks! Can I still book with Sara then?", re.compile("."), sender="client")

        # Anna is waiting meanwhile: a new arrival under Sam's own conversation.
        anna = Client(browser.new_context(viewport=WIDGET_VIEW).new_page(), sandbox, "c-anna")
        anna.say("I want to talk to a person", re.compile("queue", re.I), sender="system")
        expect(sam.page.get_by_test_id("queue-new")).to_be_visible(timeout=WAIT)
        sam.page.get_by_test_id("mine-list").get_by_test_id("queue-item").first.click()
        expect(sam.page.get_by_test_id("context-credits")).to_be_visible(timeout=WAIT)
        expect(sam.page.get_by_test_id("toast")).to_be_hidden(timeout=WAIT)  # fades after 5 s
        sam.page.screenshot(path=str(out / "console.png"))
        ben.page.screenshot(path=str(out / "widget.png"))

        # The history: Chloe's resolved conversation, found and opened read-only.
        sam.page.get_by_test_id("tab-history").click()
        sam.page.get_by_test_id("history-text").fill("follow up")
        sam.page.get_by_test_id("history-search").click()
        found = sam.page.get_by_test_id("history-item").first
        expect(found).to_be_visible(timeout=WAIT)
        found.click()
        expect(sam.page.get_by_test_id("closed-note")).to_contain_text("read-only")
        expect(sam.page.get_by_test_id("toast")).to_be_hidden(timeout=WAIT)
        sam.page.screenshot(path=str(out / "console-history.png"))
        browser.close()
    shutil.rmtree(folder, ignore_errors=True)
    for name in ("widget", "console", "console-saved-replies", "console-history"):
        print(out / f"{name}.png")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    shoot(parser.parse_args().out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

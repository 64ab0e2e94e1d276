"""`make chat` (`python -m bot.cli chat`) goes through the gateway's widget API, signed in with an
identity token it signs with WIDGET_TOKEN_SECRET: the conversation is the gateway's, stored and
routed like the widget's, in front of the real assistant."""
from __future__ import annotations

import os
import queue
import subprocess
import threading
import time
import uuid
from urllib.parse import urlsplit

from bot.processes import ROOT, VENV_PYTHON
from platform_api import DEV_PLATFORM_API_KEY, PlatformClient
from tests.helpers.gateway import WIDGET_SECRET
from tests.helpers.gateway_store import conversations_with

QUESTION = "how many credits do I have left?"


def read_lines(stream, lines: queue.Queue[str]) -> None:
    for line in iter(stream.readline, ""):
        lines.put(line.rstrip("\n"))


def wait_for_line(lines: queue.Queue[str], predicate, timeout: float) -> str:
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(line)
        if predicate(line):
            return line
    raise AssertionError(f"no such line in {timeout:.0f} s; saw {seen}")


def test_make_chat_talks_to_the_assistant_through_the_gateway(live_gateway):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("RASA_", "GATEWAY_", "WIDGET_", "ACTION"))}
    env.update({"GATEWAY_PORT": str(urlsplit(live_gateway.url).port),
                "WIDGET_TOKEN_SECRET": WIDGET_SECRET, "PYTHONUNBUFFERED": "1"})
    before = {c for c, _, _ in conversations_with(live_gateway.database_url, QUESTION)}
    chat = subprocess.Popen([str(VENV_PYTHON), "-m", "bot.cli", "chat", "--client", "c-ben"],
                            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=read_lines, args=(chat.stdout, lines), daemon=True).start()
    try:
        wait_for_line(lines, lambda line: line.startswith("Chatting as c-ben"), 30)
        chat.stdin.write(QUESTION + "\n")
        chat.stdin.flush()
        answer = wait_for_line(lines, lambda line: line.startswith("bot:") and "6" in line, 60)
        assert "credits" in answer.lower()
    finally:
        chat.stdin.close()
        chat.wait(timeout=15)
    assert chat.returncode == 0
    new = [(client, channel) for c, client, channel
           in conversations_with(live_gateway.database_url, QUESTION) if c not in before]
    assert new == [("c-ben", "widget")]  # the gateway's own conversation, signed in as Ben


def give_ben_a_second_unpaid_invoice(assistant) -> None:
    """Ben (no credits left) books a session with Jón: self-paid, invoiced, unpaid."""
    platform = PlatformClient(assistant.sandbox, DEV_PLATFORM_API_KEY)
    [slot, *_] = platform.get_availability("p-jon")
    booked = platform.create_booking("c-ben", "p-jon", "s-jon-physio", slot["start"],
                                     idempotency_key=f"test-{uuid.uuid4().hex}")
    assert booked["payment_method"] == "self_paid"


def test_make_chat_opens_with_what_the_account_shows_and_wraps_on_words(assistant, live_gateway):
    """The opening line asks the platform (two unpaid invoices once Ben booked again, not the
    seeded one), and every line fits a 48-column terminal, wrapped between words."""
    assistant.reset_demo_hub()
    give_ben_a_second_unpaid_invoice(assistant)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("RASA_", "GATEWAY_", "WIDGET_", "ACTION", "PLATFORM_"))}
    env.update({"GATEWAY_PORT": str(urlsplit(live_gateway.url).port),
                "PLATFORM_API_URL": assistant.sandbox, "COLUMNS": "48",
                "WIDGET_TOKEN_SECRET": WIDGET_SECRET, "PYTHONUNBUFFERED": "1"})
    chat = subprocess.Popen([str(VENV_PYTHON), "-m", "bot.cli", "chat", "--client", "c-ben"],
                            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []
    threading.Thread(target=read_lines, args=(chat.stdout, lines), daemon=True).start()
    try:
        def note(line: str) -> bool:
            seen.append(line)
            return "Ctrl-D to quit" in line
        wait_for_line(lines, note, 30)
        opening = " ".join(seen)
        assert opening.startswith("Chatting as c-ben: Ben Carter (0 of 6 credits left")
        assert "2 unpaid invoices" in opening and "Sara Hansen" in opening
        chat.stdin.write("any unpaid invoices?\n")
        chat.stdin.flush()
        wait_for_line(lines, lambda line: not note(line) and "/pay/inv-ben-1" in line, 60)
        time.sleep(1)  # the rest of the answer, and its buttons
        while not lines.empty():
            seen.append(lines.get())
    finally:
        chat.stdin.close()
        chat.wait(timeout=15)
    assert chat.returncode == 0
    too_long = [line for line in seen if len(line) > 47 and len(line.split()) > 1]
    assert too_long == []  # only a word longer than the width (a link) may pass the edge
    links = [word for line in seen for word in line.split() if word.startswith("http://")]
    assert any(link.rstrip(".,").endswith("/pay/inv-ben-1") for link in links), seen  # never cut

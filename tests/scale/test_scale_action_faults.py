"""Faults behind Rasa, in the production profile (real processes: two Rasa servers with the
trained model, each with its own action server, trackers in PostgreSQL, locks in Redis; two
gateway workers). The action servers and the gateways call the platform (the sandbox) through a
proxy the test can make slow.

- An action server killed (SIGKILL): the turn that needed it gets the honest reply with the
  *Talk to a person* button (Rasa answers nothing, the gateway says so); once the action server is
  back (what Kubernetes does for a dead container: deploy/kubernetes/10-rasa.yaml's liveness
  probe and restart policy), the next turn works.
- The platform answering in 10 s: the client gets the apology within the action's read timeout
  (4 s), not after 10; a booking confirmed while it was slow, then tried again after it
  recovered, is booked once.
"""
from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from bot.core import texts
from bot.core.rasa_replicas import rank
from platform_api import DEV_PLATFORM_API_KEY
from tests.helpers.gateway import Widget
from tests.helpers.postgres import require_postgres
from tests.helpers.production_stack import ProductionStack, production_stack
from tests.helpers.redis_server import require_redis
from tests.helpers.slow_proxy import SlowProxy, slow_proxy

pytestmark = [pytest.mark.rasa, pytest.mark.postgres]

SLOW_SECONDS = 10.0
ACCOUNT_APOLOGY = "can't reach your account right now"  # actions/common.py UNAVAILABLE


@pytest.fixture(scope="module")
def proxy() -> Iterator[SlowProxy]:
    with slow_proxy() as running:
        yield running


@pytest.fixture(scope="module")
def stack(model, proxy, tmp_path_factory) -> Iterator[ProductionStack]:
    require_postgres()
    require_redis()

    def through_proxy(sandbox_url: str) -> str:
        proxy.upstream = sandbox_url
        return proxy.url

    with production_stack(model, tmp_path_factory.mktemp("production"),
                          gateway_env={"RASA_TIMEOUT": "40"},
                          platform_via=through_proxy) as running:
        yield running


@pytest.fixture(autouse=True)
def _platform_fast_again(proxy: SlowProxy) -> Iterator[None]:
    proxy.delay = 0.0
    yield
    proxy.delay = 0.0


def _turn(widget: Widget, text: str | None = None, payload: str | None = None,
          title: str = "") -> list[dict]:
    """Sends a message (or presses a button); the answers once they have stopped coming."""
    sent = widget.say(text) if text is not None else widget.press(payload or "", title)
    widget.wait_for_reply(sent["seq"], timeout=120)
    return widget.replies_after(sent["seq"], settle=2.0)


def _texts(replies: list[dict]) -> str:
    return " | ".join(m["text"] for m in replies)


def _assert_each_client_message_answered(widget: Widget) -> None:
    transcript = widget.history()
    senders = [m["sender"] for m in transcript]
    for index, sender in enumerate(senders):
        if sender == "client":
            assert index + 1 < len(senders) and senders[index + 1] in ("bot", "system"), \
                transcript
    seqs = [m["seq"] for m in transcript]
    assert seqs == sorted(set(seqs))


def test_an_action_server_killed_the_turn_fails_honestly_the_next_works_once_it_is_back(
        stack):
    widget = stack.gateway.widget("c-anna")
    assert _turn(widget, "hello")
    home = rank(widget.id, stack.rasa_urls)[0]
    actions = f"actions-{home + 1}"  # the conversation's replica's own action server
    stack.kill(actions)

    failed = _turn(widget, "how many credits do I have left?")
    assert [m["text"] for m in failed] == [texts.CANT_ANSWER], failed
    assert failed[0]["buttons"] == [texts.HUMAN_BUTTON]

    stack.start_again(actions)
    worked = _turn(widget, "how many credits do I have left?")
    assert "credit" in _texts(worked).lower() and texts.CANT_ANSWER not in _texts(worked), worked
    _assert_each_client_message_answered(widget)


def test_the_platform_slow_the_apology_comes_within_the_action_timeout(stack, proxy):
    widget = stack.gateway.widget("c-ben")
    assert _turn(widget, "hello")
    proxy.delay = SLOW_SECONDS
    started = time.monotonic()
    sent = widget.say("how many credits do I have left?")
    answer = widget.wait_for_reply(sent["seq"], timeout=60)
    waited = time.monotonic() - started
    assert waited < SLOW_SECONDS, f"the apology came after {waited:.1f} s"
    # through the gateway a person can take over: the apology says one is asked to (actions'
    # account_action), and the conversation is queued for the team
    assert ACCOUNT_APOLOGY in answer["text"] and "asked a person" in answer["text"], answer
    assert widget.mode() == "waiting"


def _bookings(stack: ProductionStack, client_id: str) -> list[dict]:
    response = requests.get(
        f"http://127.0.0.1:{stack.ports.sandbox}/api/v1/clients/{client_id}/bookings",
        headers={"Authorization": f"Bearer {DEV_PLATFORM_API_KEY}"}, timeout=30)
    response.raise_for_status()
    return response.json()["bookings"]


def _yes_button(replies: list[dict]) -> dict | None:
    return next((b for m in replies for b in m["buttons"]
                 if b["title"].lower().startswith("yes")), None)


def _up_to_the_confirmation(widget: Widget) -> dict:
    """Books with Sara, pressing the first button offered, up to the "Yes" of the confirmation."""
    replies = _turn(widget, "I want to book a session with Sara")
    for _ in range(4):
        yes = _yes_button(replies)
        if yes is not None:
            return yes
        button = next(m for m in reversed(replies) if m["buttons"])["buttons"][0]
        replies = _turn(widget, payload=button["payload"], title=button["title"])
    raise AssertionError(f"no confirmation: {widget.history()}")


def test_a_booking_confirmed_while_the_platform_is_slow_and_retried_books_once(stack, proxy):
    client = "c-chloe"
    before = {b["id"] for b in _bookings(stack, client)}
    widget = stack.gateway.widget(client)
    yes = _up_to_the_confirmation(widget)
    proxy.delay = SLOW_SECONDS
    slow = _turn(widget, payload=yes["payload"], title=yes["title"])
    assert ACCOUNT_APOLOGY in _texts(slow), slow  # made, but its answer came too late
    assert slow[-1]["buttons"] == [texts.HUMAN_BUTTON]
    time.sleep(SLOW_SECONDS)  # the platform's late answer has gone by now
    proxy.delay = 0.0

    # The client tries again: that slot is no longer offered, the first time offered is the next
    yes = _up_to_the_confirmation(widget)
    retried = _turn(widget, payload=yes["payload"], title=yes["title"])
    made = [b for b in _bookings(stack, client) if b["id"] not in before]
    assert len(made) == 1, (made, _texts(retried))
    assert "earlier booking went through" in _texts(retried), retried
    _assert_each_client_message_answered(widget)

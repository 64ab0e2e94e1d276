"""Two gateway workers on one PostgreSQL store and one Redis: what one does, the other's clients
see live; the login throttle and the widget limits count once for both.

The control (`test_without_redis_the_other_workers_stream_misses_it`) shows the first test can
fail: the same two workers without GATEWAY_REDIS_URL don't push across.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.gateway import Gateway, run_workers_in_turn
from tests.helpers.redis_server import TEST_REDIS_URL
from tests.helpers.sse import SseEvent

HANDOFF = {"custom": {"handoff": {"reason": "requested", "priority": "high"}}}
LIMIT_PER_CONVERSATION = 6


@contextmanager
def _two_workers(folder, fake_rasa: FakeRasa, url: str,
                 env: dict[str, str]) -> Iterator[tuple[Gateway, Gateway]]:
    with run_workers_in_turn(2, folder, fake_rasa.port, fake_rasa.shared, url, env) as both:
        yield both[0], both[1]


@pytest.fixture(scope="module")
def workers(fake_rasa, store, tmp_path_factory) -> Iterator[tuple[Gateway, Gateway]]:
    env = {"GATEWAY_REDIS_URL": TEST_REDIS_URL,
           "WIDGET_LIMIT_PER_CONVERSATION": str(LIMIT_PER_CONVERSATION)}
    with _two_workers(tmp_path_factory.mktemp("workers"), fake_rasa, store, env) as both:
        yield both


def _agent_says(text: str):
    return lambda e: (e.name == "message" and e.data["sender"] == "agent"
                      and e.data["text"] == text)


def _hand_over(fake_rasa: FakeRasa, first: Gateway, second: Gateway):
    """A conversation started on the first worker, handed to the team, claimed on the second."""
    fake_rasa.replies["/request_human"] = [{"text": "Passing you to the team."}, HANDOFF]
    widget = first.widget("c-ben")
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    console = second.console().login()
    assert console.claim(widget.id).status_code == 200
    return widget, console


def test_a_reply_posted_on_one_worker_reaches_a_stream_on_the_other(workers, fake_rasa):
    first, second = workers
    widget, console = _hand_over(fake_rasa, first, second)
    with widget.events(after=0) as stream:
        stream.wait_for(lambda e: e.name == "mode")
        assert console.reply(widget.id, "Hi Ben, Sam here.").status_code == 200
        delivered = stream.wait_for(_agent_says("Hi Ben, Sam here."), timeout=10)
        stream.drain(1.0)
    assert delivered.id == str(delivered.data["seq"])
    seqs = [e.data["seq"] for e in stream.seen if e.name == "message"]
    assert len(seqs) == len(set(seqs)), "a message came twice"


def test_the_bot_s_answer_to_a_message_sent_on_one_worker_reaches_a_stream_on_the_other(
        workers, fake_rasa):
    first, second = workers
    widget = first.widget("c-anna")
    with widget.events(after=0) as stream:
        stream.wait_for(lambda e: e.name == "mode")
        response = widget.http.post(f"{second.url}/widget/api/messages",  # the other worker
                                    json={"text": "hello from the other worker"}, timeout=10)
        assert response.status_code == 202, response.text
        stream.wait_for(lambda e: e.name == "message"
                        and e.data["text"] == "echo: hello from the other worker", timeout=15)


def test_the_console_stream_on_one_worker_sees_the_queue_change_on_the_other(workers, fake_rasa):
    first, second = workers
    fake_rasa.replies["/request_human"] = [{"text": "Passing you to the team."}, HANDOFF]
    console = second.console().login()
    with console.events() as stream:
        widget = first.widget("c-dan")
        widget.press("/request_human")
        stream.wait_for(lambda e: e.name == "conversation" and e.data["id"] == widget.id,
                        timeout=15)


def test_failed_logins_count_across_workers(workers):
    first, second = workers
    email = "nobody-shared@support.example"
    for gateway in [first, second, first, second, first]:
        response = gateway.console(email, "not-the-password-1").http.post(
            f"{gateway.url}/console/api/login",
            json={"email": email, "password": "not-the-password-1"}, timeout=10)
        assert response.status_code == 401, response.text
    for gateway in (first, second):
        response = gateway.console(email, "x").http.post(
            f"{gateway.url}/console/api/login", json={"email": email, "password": "whatever-12"},
            timeout=10)
        assert response.status_code == 429, response.text
        assert int(response.headers["Retry-After"]) > 0


def test_a_conversation_s_message_limit_counts_across_workers(workers):
    first, second = workers
    widget = first.widget()
    statuses = []
    for number in range(LIMIT_PER_CONVERSATION + 1):
        url = (first if number % 2 else second).url
        statuses.append(widget.http.post(f"{url}/widget/api/messages",
                                         json={"text": f"message {number}"},
                                         timeout=10).status_code)
    assert statuses == [202] * LIMIT_PER_CONVERSATION + [429]


def test_without_redis_the_other_workers_stream_misses_it(fake_rasa, store, tmp_path_factory):
    """The control: two workers without GATEWAY_REDIS_URL each push only their own events."""
    with _two_workers(tmp_path_factory.mktemp("unshared"), fake_rasa, store, {}) as (one, two):
        widget, console = _hand_over(fake_rasa, one, two)
        with widget.events(after=0) as stream:
            stream.wait_for(lambda e: e.name == "mode")
            assert console.reply(widget.id, "Hello from the other worker").status_code == 200
            seen: list[SseEvent] = stream.drain(3.0)
        assert not any(_agent_says("Hello from the other worker")(e) for e in seen)

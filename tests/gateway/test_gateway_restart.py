"""A gateway stopped mid-turn loses nothing: the client's messages it had stored but not yet
answered are answered when a gateway starts again, in order and once, also when two replicas start
together on one store (SQLite file, PostgreSQL).

The stop is a real one (SIGTERM to the gateway process) while the fake Rasa is still busy with a
turn, longer than the gateway's shutdown grace; Rasa runs that turn anyway and keeps it in its
tracker, as Rasa does, so the next start finds its replies there instead of sending it again.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from bot.core.turn_scheduler import SHUTDOWN_GRACE
from tests.helpers.gateway import Widget, run_gateway, run_gateways
from tests.helpers.gateway_store import unrouted_messages
from tests.helpers.postgres import BOTH_BACKENDS, require_postgres, temporary_schema

SLOW = SHUTDOWN_GRACE + 3  # the fake Rasa's turn outlasts the stopping gateway's patience


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def bot_texts(widget: Widget) -> list[str]:
    return [m["text"] for m in widget.replies_after(0, settle=1.5) if m["sender"] == "bot"]


def test_a_turn_cut_short_by_a_stop_is_answered_once_after_the_restart(fake_rasa, tmp_path):
    """Stopped while Rasa had the first message and the second was still queued: after the
    restart the first is answered from Rasa's tracker (not sent again), then the second is sent
    and answered, in that order."""
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    fake_rasa.delays["the slow one"] = SLOW
    with run_gateway(tmp_path, fake_rasa.port, fake_rasa.shared, database_url=url) as first:
        widget = first.widget("c-ben")
        widget.say("the slow one")
        queued = widget.say("and the next one")
        wait_until(lambda: fake_rasa.messages_of(widget.id) == ["the slow one"])
    assert [text for _, _, text in unrouted_messages(url)] == ["the slow one", "and the next one"]
    fake_rasa.wait_until_idle()  # Rasa ran the turn the gateway stopped waiting for

    with run_gateway(tmp_path, fake_rasa.port, fake_rasa.shared, database_url=url) as second:
        widget.url = second.url
        widget.wait_for_reply(queued["seq"], containing="and the next one", timeout=30)
        assert bot_texts(widget) == ["echo: the slow one", "echo: and the next one"]
        assert [m["sender"] for m in widget.history()] == ["client", "client", "bot", "bot"]
    assert fake_rasa.messages_of(widget.id) == ["the slow one", "and the next one"]
    assert fake_rasa.handled(widget.id) == ["the slow one", "and the next one"]
    assert unrouted_messages(url) == []


@pytest.mark.parametrize("backend", BOTH_BACKENDS)
def test_two_replicas_starting_together_answer_what_was_left_once(backend, fake_rasa,
                                                                  tmp_path):
    """Six conversations, each with a message Rasa had and one never sent, left by a stopped
    gateway; two replicas start at the same moment on the store: every message is answered
    exactly once, in order, and none reaches Rasa twice."""
    with temporary_schema_or_file(backend, tmp_path) as url:
        fake_rasa.delay = SLOW
        with run_gateway(tmp_path, fake_rasa.port, fake_rasa.shared, database_url=url) as first:
            widgets = [first.widget() for _ in range(6)]
            for number, widget in enumerate(widgets):
                widget.say(f"first {number}")
                widget.say(f"second {number}")
            wait_until(lambda: sum(len(fake_rasa.messages_of(w.id)) for w in widgets) == 6)
        assert len(unrouted_messages(url)) == 12
        fake_rasa.delay = 0.0
        fake_rasa.wait_until_idle()

        with run_gateways(2, tmp_path, fake_rasa.port, fake_rasa.shared,
                          database_url=url) as replicas:
            for number, widget in enumerate(widgets):
                widget.url = replicas[number % 2].url
                widget.wait_for_reply(0, containing=f"echo: second {number}", timeout=30)
            for number, widget in enumerate(widgets):
                assert bot_texts(widget) == [f"echo: first {number}", f"echo: second {number}"]
                assert fake_rasa.messages_of(widget.id) == [f"first {number}",
                                                            f"second {number}"]
        assert unrouted_messages(url) == []


class temporary_schema_or_file:  # noqa: N801 - used as a context manager, like a function
    """A fresh PostgreSQL schema (`backend == "postgresql"`) or a SQLite file."""

    def __init__(self, backend: str, folder) -> None:
        self.backend, self.folder, self._schema = backend, folder, None

    def __enter__(self) -> str:
        if self.backend != "postgresql":
            return f"sqlite:///{self.folder / 'shared.db'}"
        require_postgres()
        self._schema = temporary_schema()
        return self._schema.__enter__()

    def __exit__(self, *exc) -> None:
        if self._schema is not None:
            self._schema.__exit__(*exc)

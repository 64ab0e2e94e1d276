"""Faults of the store and of a busy conversation, on two gateway workers sharing one PostgreSQL
store and one Redis (the production profile's gateway; a fake Rasa that records what it was sent):

- PostgreSQL cuts the gateway's connections (`pg_terminate_backend`, what a restart or a failover
  does to a client) again and again while clients talk: every message a client sent is stored
  once and answered once, in order, and Rasa got each once. A client retries a 5xx with the same
  `client_message_id`, as the widget does.
- PostgreSQL itself restarted while clients talk (Debian's `pg_ctlcluster ... restart`, the
  server down for a moment): the same, and both workers healthy afterwards.
- Twenty messages sent at once in one conversation, over both workers: stored once each, sent to
  Rasa one at a time in the order they were stored, answered once each in that order.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, make_url, text

from tests.helpers.ci import skip_or_fail_in_ci
from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.gateway import Gateway, Widget, new_client_message_id, run_workers_in_turn
from tests.helpers.postgres import DEFAULT_POSTGRES_URL, unreachable_reason
from tests.helpers.redis_server import TEST_REDIS_URL

pytestmark = pytest.mark.postgres

CONVERSATIONS = 4
MESSAGES_EACH = 8


@pytest.fixture(scope="module")
def app_name() -> str:
    """The gateway's connections name themselves, so the test cuts only theirs."""
    return f"gw-faults-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def workers(fake_rasa, store, app_name, tmp_path_factory) -> Iterator[list[Gateway]]:
    url = make_url(store).update_query_dict({"application_name": app_name})
    with run_workers_in_turn(2, tmp_path_factory.mktemp("store-faults"), fake_rasa.port,
                             fake_rasa.shared, url.render_as_string(hide_password=False),
                             env={"GATEWAY_REDIS_URL": TEST_REDIS_URL}) as both:
        yield both


@pytest.fixture(autouse=True)
def _fresh_answers(fake_rasa: FakeRasa) -> None:
    fake_rasa.reset_answers()


def _cut_connections(app_name: str, stop: threading.Event, cuts: list[int]) -> None:
    """Terminates every connection of the gateway's every 0.3 s until `stop`."""
    engine = create_engine(DEFAULT_POSTGRES_URL)
    try:
        while not stop.is_set():
            with engine.begin() as connection:
                cut = connection.execute(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name"), {"name": app_name}).scalar_one()
            cuts.append(int(cut))
            stop.wait(0.3)
    finally:
        engine.dispose()


def _send(widget: Widget, url: str, text_: str, server_errors: list[int]) -> dict:
    """Posts like the widget: a 5xx or a dropped connection is retried with the same id."""
    body = {"text": text_, "client_message_id": new_client_message_id()}
    deadline = time.monotonic() + 60
    while True:
        try:
            response = widget.http.post(f"{url}/widget/api/messages", json=body, timeout=15)
        except requests.ConnectionError:
            response = None
        if response is not None and response.status_code == 202:
            return response.json()["message"]
        assert response is None or response.status_code >= 500, response.text
        server_errors.append(response.status_code if response is not None else 0)
        assert time.monotonic() < deadline, f"never accepted: {text_!r}"
        time.sleep(0.5)


def _talk(widget: Widget, workers: list[Gateway], server_errors: list[int],
          messages: int = MESSAGES_EACH, label: str = "message",
          on_accepted: Callable[[int], None] | None = None) -> list[str]:
    """`messages` messages over both workers, each answered before the next; `on_accepted(turn)`
    once each is accepted."""
    said = []
    for turn in range(messages):
        text_ = f"{widget.id[:8]} {label} {turn}"
        sent = _send(widget, workers[turn % 2].url, text_, server_errors)
        if on_accepted is not None:
            on_accepted(turn)
        widget.wait_for(lambda m, t=text_: m["sender"] == "bot" and m["text"] == f"echo: {t}",
                        after=sent["seq"], timeout=60)
        said.append(text_)
    return said


def _assert_each_answered_once_in_order(widget: Widget, fake_rasa: FakeRasa,
                                        said: list[str]) -> None:
    history = widget.history()
    assert [m["text"] for m in history] == [line for text_ in said
                                            for line in (text_, f"echo: {text_}")], history
    assert fake_rasa.messages_of(widget.id) == said


def test_connections_cut_during_traffic_nothing_lost_nothing_twice(workers, fake_rasa,
                                                                   app_name):
    fake_rasa.delay = 0.05
    widgets = [workers[i % 2].widget("c-anna") for i in range(CONVERSATIONS)]
    stop, cuts, server_errors = threading.Event(), [], []
    cutter = threading.Thread(target=_cut_connections, args=(app_name, stop, cuts))
    cutter.start()
    try:
        with ThreadPoolExecutor(CONVERSATIONS) as pool:
            said = list(pool.map(lambda w: _talk(w, workers, server_errors), widgets))
    finally:
        stop.set()
        cutter.join()
    for widget, texts in zip(widgets, said, strict=True):
        _assert_each_answered_once_in_order(widget, fake_rasa, texts)
    assert sum(cuts) >= 10, f"the test cut too few connections to mean anything: {cuts}"
    # the gateway retries the work a cut connection interrupted: a client rarely sees a 5xx
    assert len(server_errors) <= 3, server_errors  # of 32 messages
    for gateway in workers:
        assert requests.get(f"{gateway.url}/health", timeout=10).status_code == 200


def test_twenty_messages_at_once_in_one_conversation(workers, fake_rasa):
    fake_rasa.delay = 0.1  # turns overlap the arrivals
    widget = workers[0].widget("c-ben")
    texts = [f"at once {n}" for n in range(20)]
    barrier = threading.Barrier(len(texts))

    def post(index: int) -> dict:
        body = {"text": texts[index], "client_message_id": new_client_message_id()}
        barrier.wait()
        response = widget.http.post(f"{workers[index % 2].url}/widget/api/messages", json=body,
                                    timeout=30)
        assert response.status_code == 202, response.text
        return response.json()["message"]

    with ThreadPoolExecutor(len(texts)) as pool:
        accepted = list(pool.map(post, range(len(texts))))
    last = max(m["seq"] for m in accepted)
    widget.wait_for(lambda m: m["sender"] == "bot" and m["seq"] > last
                    and len([x for x in widget.history() if x["sender"] == "bot"]) == 20,
                    timeout=90)
    history = widget.replies_after(0, settle=1.5)
    stored_order = [m["text"] for m in history if m["sender"] == "client"]
    assert sorted(stored_order) == sorted(texts)  # each stored once
    assert fake_rasa.messages_of(widget.id) == stored_order  # one at a time, in stored order
    answers = [m for m in history if m["sender"] == "bot"]
    assert [m["text"] for m in answers] == [f"echo: {t}" for t in stored_order]  # once each
    seq_of = {m["text"]: m["seq"] for m in history}
    for text_ in stored_order:
        assert seq_of[f"echo: {text_}"] > seq_of[text_]
    seqs = [m["seq"] for m in history]
    assert seqs == sorted(set(seqs))


def _restart_command() -> list[str]:
    """The command that restarts the PostgreSQL server the tests use (Debian's cluster tools);
    skips the test with the reason when it can't be restarted here (fails it when CI=true).
    Its last word is the action (`restart`), which `_make_sure_it_runs` replaces."""
    port = str(make_url(DEFAULT_POSTGRES_URL).port or 5432)
    reason = None
    if not (shutil.which("pg_lsclusters") and shutil.which("pg_ctlcluster")):
        reason = "Debian's pg_lsclusters and pg_ctlcluster are not on PATH"
    elif os.geteuid() != 0:
        reason = "restarting the PostgreSQL server needs root"
    else:
        listed = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True,
                                text=True, check=False).stdout.splitlines()
        for version, cluster, cluster_port, status, *_ in (line.split() for line in listed):
            if cluster_port == port and status == "online":
                return ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster,
                        "restart"]
        reason = f"no online PostgreSQL cluster on port {port} in pg_lsclusters"
    return skip_or_fail_in_ci(f"PostgreSQL can't be restarted here: {reason}")


def _online(command: list[str]) -> bool:
    version, cluster = command[2], command[3]
    listed = subprocess.run(["pg_lsclusters", "--no-header", version, cluster],
                            capture_output=True, text=True, check=False).stdout.split()
    return len(listed) > 3 and listed[3] == "online"


def _make_sure_it_runs(command: list[str]) -> None:
    """Whatever happened to the restart, the server every later test needs is running."""
    if not _online(command):
        subprocess.run([*command[:-1], "start"], check=False, timeout=120,
                       capture_output=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while unreachable_reason() is not None:
        assert time.monotonic() < deadline, "PostgreSQL did not come back after the restart"
        time.sleep(0.5)


def test_postgres_restarted_during_traffic_nothing_lost_nothing_twice(workers, fake_rasa):
    restart = _restart_command()
    fake_rasa.delay = 0.2  # the conversations outlast the restart
    widgets = [workers[i % 2].widget("c-anna") for i in range(CONVERSATIONS)]
    server_errors: list[int] = []
    under_way, window = threading.Event(), {}

    def restart_once_under_way() -> None:
        under_way.wait(60)
        window["start"] = time.monotonic()
        try:  # its own session: a Ctrl-C of the tests never stops it half-way
            subprocess.run(restart, check=True, timeout=120, capture_output=True,
                           start_new_session=True)
        finally:
            _make_sure_it_runs(restart)
        window["end"] = time.monotonic()

    times: list[float] = []  # when each message was accepted

    def accepted(turn: int) -> None:
        times.append(time.monotonic())
        if turn == 2:
            under_way.set()

    with ThreadPoolExecutor(CONVERSATIONS + 1) as pool:
        restarter = pool.submit(restart_once_under_way)
        said = list(pool.map(lambda w: _talk(w, workers, server_errors, MESSAGES_EACH * 2,
                                             "restart", accepted), widgets))
        restarter.result()
    for widget, texts in zip(widgets, said, strict=True):
        _assert_each_answered_once_in_order(widget, fake_rasa, texts)
    assert min(times) < window["start"] and max(times) > window["end"], (
        "the restart did not fall inside the traffic", window)
    # the store rides out the restart: a client rarely sees a 5xx (and retries it)
    assert len(server_errors) <= 3, server_errors
    for gateway in workers:
        assert requests.get(f"{gateway.url}/health", timeout=10).status_code == 200

"""Two gateway processes on one store (SQLite file, PostgreSQL): still never two owners.

Within one process, claims of a conversation are serialised anyway; across replicas only the
conditional UPDATE (`... WHERE assignee IS NULL`, checked by its row count) keeps them apart.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import requests

from tests.gateway.conftest import asks_for_a_person
from tests.helpers.gateway import Console, Gateway, Widget, run_gateway
from tests.helpers.gateway_store import add_agent
from tests.helpers.postgres import BOTH_BACKENDS, require_postgres, temporary_schema


@pytest.fixture(scope="module", params=BOTH_BACKENDS)
def replicas(request, fake_rasa, tmp_path_factory) -> Iterator[tuple[Gateway, Gateway]]:
    folder = tmp_path_factory.mktemp("replicas")
    with ExitStack() as stack:
        if request.param == "postgresql":
            require_postgres()
            url = stack.enter_context(temporary_schema())
        else:
            url = f"sqlite:///{folder / 'shared.db'}"
        first = stack.enter_context(run_gateway(folder, fake_rasa.port, fake_rasa.shared,
                                                database_url=url))
        second = stack.enter_context(run_gateway(folder, fake_rasa.port, fake_rasa.shared,
                                                 database_url=url))
        add_agent(url, "kim@support.example", "kims-own-password-123", "Kim")
        yield first, second


def test_claims_through_two_replicas_at_once_make_exactly_one_owner(replicas, fake_rasa):
    first, second = replicas
    sam = first.console().login()
    kim = second.console("kim@support.example", "kims-own-password-123").login()
    asks_for_a_person(fake_rasa)
    for _ in range(8):
        widget = first.widget()
        widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
        barrier = threading.Barrier(2)
        results: list[requests.Response] = []

        def claim(console: Console, widget: Widget = widget,
                  barrier: threading.Barrier = barrier,
                  results: list[requests.Response] = results) -> None:
            barrier.wait()
            results.append(console.claim(widget.id))

        threads = [threading.Thread(target=claim, args=(c,)) for c in (sam, kim)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]


def test_the_second_replica_sees_what_the_first_stored(replicas, fake_rasa):
    """One store: a conversation started on one replica continues on the other."""
    first, second = replicas
    widget = first.widget("c-anna")
    widget.url = second.url
    sent = widget.say("hello from the other replica")
    assert widget.wait_for_reply(sent["seq"])["text"] == "echo: hello from the other replica"

"""A Rasa replica killed mid-conversation (the production profile, real processes: two Rasa servers
with the trained model, trackers in PostgreSQL, locks in Redis; two gateway workers).

The conversation's own replica is killed (SIGKILL) while it runs one of the conversation's turns
(its lock is held in Redis): that turn, and the ones after it, are answered by the other replica
from the same tracker. The transcript is complete (every message answered, never the apology),
and Rasa's tracker has each message once (none run twice).
"""
from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
import requests

from bot.core import texts
from bot.core.rasa_client import rasa_api_token
from bot.core.rasa_replicas import rank
from tests.helpers.postgres import require_postgres
from tests.helpers.production_stack import ProductionStack, production_stack
from tests.helpers.redis_server import TEST_REDIS_URL, require_redis

pytestmark = [pytest.mark.rasa, pytest.mark.postgres]

BEFORE = ["hello", "how many credits do I have left?"]
KILLED_DURING = "who are my connections?"
AFTER = ["do I have any unpaid invoices?", "how do I add a credit card?"]


@pytest.fixture(scope="module")
def stack(model, tmp_path_factory) -> Iterator[ProductionStack]:
    require_postgres()
    require_redis()
    with production_stack(model, tmp_path_factory.mktemp("production"),
                          gateway_env={"RASA_TIMEOUT": "40"}) as running:
        yield running


def _say_and_wait(widget, text: str) -> list[dict]:
    sent = widget.say(text)
    widget.wait_for_reply(sent["seq"], timeout=90)
    return widget.replies_after(sent["seq"], settle=1.5)


def _kill_while_it_runs(stack: ProductionStack, conversation_id: str, replica: int) -> bool:
    """Kills the replica as soon as it holds the conversation's lock (it is running a turn);
    whether the lock was still held after the kill (the turn was cut short, not finished)."""
    locks = redis.Redis.from_url(TEST_REDIS_URL)
    deadline = time.monotonic() + 60
    while not locks.exists(stack.lock_key(conversation_id)):
        assert time.monotonic() < deadline, "the replica never started the turn"
        time.sleep(0.005)
    stack.kill_rasa(replica)
    return bool(locks.exists(stack.lock_key(conversation_id)))


def test_a_replica_killed_during_a_turn_the_other_carries_the_conversation_on(stack):
    widget = stack.gateway.widget("c-anna")
    home = rank(widget.id, stack.rasa_urls)[0]
    for text in BEFORE:
        assert _say_and_wait(widget, text), text
    sent = widget.say(KILLED_DURING)
    cut_short = _kill_while_it_runs(stack, widget.id, home)
    widget.wait_for_reply(sent["seq"], timeout=90)
    for text in AFTER:
        _say_and_wait(widget, text)

    transcript = widget.history()
    said = [m["text"] for m in transcript if m["sender"] == "client"]
    assert said == [*BEFORE, KILLED_DURING, *AFTER]
    for message in transcript:
        assert message["text"] != texts.CANT_ANSWER, transcript
    seqs = [m["seq"] for m in transcript]
    assert seqs == sorted(set(seqs))
    # each client message is followed by at least one answer from the assistant
    senders = [m["sender"] for m in transcript]
    for index, sender in enumerate(senders):
        if sender == "client":
            assert index + 1 < len(senders) and senders[index + 1] == "bot", transcript
    answer = transcript[[m["text"] for m in transcript].index(KILLED_DURING) + 1]
    assert "sara" in answer["text"].lower() or "maya" in answer["text"].lower(), answer
    # Rasa ran each message once: its tracker (in PostgreSQL, read from the survivor)
    tracker = _tracker(stack, widget.id, 1 - home)
    user_turns = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    assert user_turns == said, user_turns
    assert cut_short, "the replica finished the turn before it was killed: not a mid-turn kill"


def _tracker(stack: ProductionStack, conversation_id: str, replica: int) -> dict:
    response = requests.get(f"{stack.rasa_urls[replica]}/conversations/{conversation_id}/tracker",
                            headers={"Authorization":
                                     f"Bearer {rasa_api_token(stack.shared.rasa_token)}"},
                            timeout=30)
    response.raise_for_status()
    return response.json()

"""Sticky routing over Rasa replicas (bot/core/rasa_replicas.py), against two fake Rasa servers:
each conversation goes to one replica always; a replica down moves only its own conversations,
and no message is sent twice. (A real Rasa replica killed mid-conversation, with the trackers in
PostgreSQL: tests/scale/test_scale_failover.py.)"""
from __future__ import annotations

import asyncio
from contextlib import ExitStack

from bot.core.rasa_client import RasaClient, RasaUnavailable
from bot.core.rasa_replicas import RasaReplicas, rank
from bot.processes import SharedSecrets
from tests.helpers.fake_rasa import FakeRasa, run_fake_rasa

CONVERSATIONS = [f"conversation-{number}" for number in range(60)]


def test_the_rank_is_stable_and_spreads_conversations() -> None:
    names = ["http://rasa-0:5005", "http://rasa-1:5005"]
    firsts = [rank(c, names)[0] for c in CONVERSATIONS * 2]
    assert firsts[:60] == firsts[60:]
    assert 18 <= firsts.count(0) // 2 <= 42
    # a third replica takes conversations only from... itself: none of the others move between
    # the first two
    three = [*names, "http://rasa-2:5005"]
    for conversation in CONVERSATIONS:
        if rank(conversation, three)[0] != 2:
            assert rank(conversation, three)[0] == rank(conversation, names)[0]


def _replicas(fakes: list[FakeRasa], shared: SharedSecrets) -> RasaReplicas:
    return RasaReplicas([RasaClient(fake.url, shared.rasa_token, shared.webhook_secret, 5)
                         for fake in fakes])


def _sent_to(fakes: list[FakeRasa], conversation: str) -> list[int]:
    return [index for index, fake in enumerate(fakes) if fake.messages_of(conversation)]


def test_each_conversation_sticks_to_one_replica() -> None:
    with run_fake_rasa() as first, run_fake_rasa() as second:
        second.shared = first.shared
        fakes = [first, second]
        rasa = _replicas(fakes, first.shared)

        async def scenario() -> None:
            for text in ("one", "two", "three"):
                for conversation in CONVERSATIONS:
                    answer = await rasa.send(conversation, text, {})
                    assert answer.replies == [{"text": f"echo: {text}"}]
            await rasa.aclose()

        asyncio.run(scenario())
    home = {}
    for conversation in CONVERSATIONS:
        [home[conversation]] = _sent_to(fakes, conversation)  # one replica only
        assert fakes[home[conversation]].messages_of(conversation) == ["one", "two", "three"]
        assert rasa.replica_for(conversation).base_url == fakes[home[conversation]].url
    assert 0 < list(home.values()).count(0) < len(CONVERSATIONS)


def test_a_replica_down_moves_its_conversations_and_only_those() -> None:
    with ExitStack() as stack:
        survivor = stack.enter_context(run_fake_rasa())
        with run_fake_rasa() as doomed:
            doomed.shared = survivor.shared
            fakes = [survivor, doomed]
            rasa = _replicas(fakes, survivor.shared)
            loop = asyncio.new_event_loop()
            for conversation in CONVERSATIONS:
                loop.run_until_complete(rasa.send(conversation, "before", {}))
            home = {c: _sent_to(fakes, c)[0] for c in CONVERSATIONS}
        # `doomed` is gone (its port refuses connections)
        for conversation in CONVERSATIONS:
            answer = loop.run_until_complete(rasa.send(conversation, "after", {}))
            assert answer.replies == [{"text": "echo: after"}]
        loop.run_until_complete(rasa.aclose())
        loop.close()
    for conversation in CONVERSATIONS:
        after = [m for m in survivor.messages_of(conversation) if m == "after"]
        assert after == ["after"], "not answered exactly once"
        if home[conversation] == 0:
            assert survivor.messages_of(conversation) == ["before", "after"]
        else:
            assert doomed.messages_of(conversation) == ["before"]
    assert 0 < list(home.values()).count(1) < len(CONVERSATIONS)


def test_every_replica_down_is_rasa_unavailable() -> None:
    with run_fake_rasa() as one, run_fake_rasa() as two:
        urls, shared = [one.url, two.url], one.shared
    rasa = RasaReplicas([RasaClient(url, shared.rasa_token, shared.webhook_secret, 2)
                         for url in urls])

    async def scenario() -> RasaUnavailable:
        try:
            await rasa.send("c", "hello", {})
        except RasaUnavailable as exc:
            return exc
        finally:
            await rasa.aclose()
        raise AssertionError("answered with every replica down")

    assert asyncio.run(scenario()).in_doubt is False

"""The benchmark's own parts (`make bench` is not part of `make test`): its load generator drives
a real gateway (on the fake Rasa) as the widget does, counting each reply once; its CPU figures
come from /proc and add up per kind of process.
"""
from __future__ import annotations

import asyncio
import os

from scripts.bench import LOADGEN, Row, cpu_seconds, cpu_table
from scripts.loadgen import CONVERSATION, GatewayClient, Run, Turn, drive
from tests.helpers.gateway import WIDGET_SECRET


def test_simulated_clients_each_get_every_reply_once_through_the_gateway(gateway, fake_rasa):
    run = asyncio.run(drive(GatewayClient(gateway.url, WIDGET_SECRET), clients=3, steps=2))
    assert len(run.turns) == 6
    assert run.errors == 0, run.error_kinds()
    assert all(turn.latency is not None and len(turn.replies) == 1 for turn in run.turns)
    assert sorted(turn.replies[0]["text"] for turn in run.turns) == sorted(
        f"echo: {step}" for step in CONVERSATION[:2] for _ in range(3))
    assert run.messages_per_second > 0


def test_a_lost_reply_is_an_error_a_slow_one_is_not(gateway, fake_rasa):
    fake_rasa.replies[CONVERSATION[0]] = []  # Rasa answers nothing: the gateway apologises
    run = asyncio.run(drive(GatewayClient(gateway.url, WIDGET_SECRET), clients=1, steps=1))
    assert run.errors == 1 and next(iter(run.error_kinds())).startswith("lost")


def test_cpu_time_per_process_and_per_kind():
    seconds = cpu_seconds({"bench": os.getpid()})
    assert seconds["bench"] > 0 and "postgres" in seconds
    servers = {"rasa-1": 60.0, "rasa-2": 55.0, "gateway-1": 30.0, "gateway-2": 25.0,
               "actions-1": 7.0, "actions-2": 8.0, "sandbox": 20.0, "postgres": 5.0}
    row = Row("production", 10, Run(10, 1.0, [Turn(0.1, [])]), {}, {**servers, LOADGEN: 12.0})
    # the load generator (the simulated clients) has its own column, outside the servers' "all"
    assert cpu_table([row]).splitlines()[-1] == (
        "| production | 10 | 115 | 55 | 15 | 20 | 5 | 210 | 12 |")
    unmeasured = Row("production", 10, Run(10, 1.0, [Turn(0.1, [])]), {}, servers)
    assert cpu_table([unmeasured]).splitlines()[-1].endswith("| 210 | – |")

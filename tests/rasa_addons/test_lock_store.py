"""rasa_addons.lock_store on the real Redis, in Rasa's own environment: a request waiting behind a
replica that died holding the conversation's lock gets the lock once the dead ticket expires,
where Rasa 3.6's own Redis lock store waits for ever (its own ticket expires on the same clock).

The scenario runs in `.venv-rasa` (Rasa is not importable here): the dead replica's ticket is
issued and never given back; a second request asks for the lock a moment later; both tickets
live one second.
"""
from __future__ import annotations

import json
import subprocess
import uuid

import pytest

from bot.processes import RASA_PYTHON, ROOT
from tests.helpers.redis_server import require_redis

SCENARIO = """
import asyncio, json, sys, time
from rasa.core.lock_store import RedisLockStore as RasaRedisLockStore
from rasa.utils.endpoints import EndpointConfig
from rasa_addons.lock_store import RedisLockStore

which, prefix = sys.argv[1], sys.argv[2]
config = EndpointConfig(url="127.0.0.1", port=6379, db=9, key_prefix=prefix)
store = (RedisLockStore(config) if which == "ours"
         else RasaRedisLockStore(host="127.0.0.1", port=6379, db=9, key_prefix=prefix))

async def waiter():
    started = time.monotonic()
    async with store.lock("conversation", lock_lifetime=1.0, wait_time_in_seconds=0.2):
        return time.monotonic() - started

async def main():
    store.issue_ticket("conversation", 1.0)   # the replica that died holding the lock
    await asyncio.sleep(0.05)
    try:
        waited = await asyncio.wait_for(waiter(), timeout=6)
    except asyncio.TimeoutError:
        waited = None
    left = store.get_lock("conversation")
    print(json.dumps({"waited": waited, "lock_left": left is not None and bool(left.tickets)}))

asyncio.run(main())
"""


def run_scenario(which: str) -> dict:
    result = subprocess.run([str(RASA_PYTHON), "-c", SCENARIO, which, f"t{uuid.uuid4().hex}"],
                            check=False, cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(autouse=True)
def redis_needed() -> None:
    require_redis()


def test_a_request_behind_a_dead_replicas_turn_gets_the_lock_when_that_ticket_expires() -> None:
    found = run_scenario("ours")
    assert found["waited"] is not None and found["waited"] < 3.0, found
    assert found["lock_left"] is False, found  # its new ticket was given back


def test_rasas_own_lock_store_waits_for_ever_there() -> None:
    """The control: the bug this module fixes is real in the Rasa we run."""
    assert run_scenario("rasa")["waited"] is None

"""Limits under pressure, on a real gateway: login attempts are counted before the password is
checked (per address and IP, and per IP), the widget API's writes per IP and per conversation;
429 with Retry-After; the limiters' memory stays bounded.

Each test calls from its own client address (X-Forwarded-For, believed from 127.0.0.1: the
default GATEWAY_TRUSTED_PROXIES), so the tests don't share their counts.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests

from bot.gateway.throttle import LoginThrottle, RateLimit, SlidingWindow
from bot.identity import issue_identity_token
from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.gateway import WIDGET_SECRET, Gateway, run_gateway
from tests.helpers.gateway_store import add_agent, audit_rows

PER_IP, PER_CONVERSATION = 6, 3


@pytest.fixture(scope="module")
def limited(fake_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with run_gateway(tmp_path_factory.mktemp("limited"), fake_rasa.port, fake_rasa.shared,
                     env={"WIDGET_LIMIT_PER_IP": str(PER_IP),
                          "WIDGET_LIMIT_PER_CONVERSATION": str(PER_CONVERSATION)}) as gw:
        yield gw


def login(gateway: Gateway, email: str, password: str, ip: str) -> requests.Response:
    return requests.post(f"{gateway.url}/console/api/login", timeout=30,
                         json={"email": email, "password": password},
                         headers={"X-Requested-With": "console", "X-Forwarded-For": ip})


def agent_id(gateway: Gateway, email: str, password: str, ip: str) -> str:
    session = requests.Session()
    session.headers.update({"X-Requested-With": "console", "X-Forwarded-For": ip})
    session.post(f"{gateway.url}/console/api/login", json={"email": email, "password": password},
                 timeout=10).raise_for_status()
    return session.get(f"{gateway.url}/console/api/me", timeout=10).json()["agent"]["id"]


def test_thirty_parallel_wrong_passwords_are_checked_at_most_five_times(limited):
    """The attempt is counted before the (slow) password check: 5 are checked, 25 get 429."""
    add_agent(limited.database_url, "race@support.example", "the-right-password-1", "Rae")
    me = agent_id(limited, "race@support.example", "the-right-password-1", "10.0.1.2")
    barrier = threading.Barrier(30)
    responses: list[requests.Response] = []

    def guess(n: int) -> None:
        barrier.wait()
        responses.append(login(limited, "race@support.example", f"guess-{n}", "10.0.1.1"))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [401] * 5 + [429] * 25
    for refused in (r for r in responses if r.status_code == 429):
        assert refused.json()["error"]["code"] == "too_many_attempts"
        assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    failed = [row for row in audit_rows(limited.database_url)
              if row[0] == "login_failed" and row[2] == me]
    assert len(failed) == 5


def test_failures_from_elsewhere_do_not_lock_the_agent_out(limited):
    add_agent(limited.database_url, "lou@support.example", "lous-own-password-1", "Lou")
    for _ in range(5):
        assert login(limited, "lou@support.example", "wrong", "10.0.2.1").status_code == 401
    assert login(limited, "lou@support.example", "lous-own-password-1",
                 "10.0.2.1").status_code == 429
    assert login(limited, "lou@support.example", "lous-own-password-1",
                 "10.0.2.2").status_code == 200


def test_one_address_trying_many_accounts_is_stopped(limited):
    """20 failed logins from one IP, whatever the e-mail addresses: the 21st waits."""
    for n in range(20):
        assert login(limited, f"nobody-{n}@support.example", "x", "10.0.3.1").status_code == 401
    blocked = login(limited, "someone-else@support.example", "x", "10.0.3.1")
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert login(limited, "someone-else@support.example", "x", "10.0.3.2").status_code == 401


def test_a_successful_login_takes_its_attempt_back(limited):
    add_agent(limited.database_url, "kai@support.example", "kais-own-password-1", "Kai")
    for _ in range(4):
        assert login(limited, "kai@support.example", "wrong", "10.0.4.1").status_code == 401
    assert login(limited, "kai@support.example", "kais-own-password-1",
                 "10.0.4.1").status_code == 200
    for _ in range(4):
        assert login(limited, "kai@support.example", "wrong", "10.0.4.1").status_code == 401


def start(gateway: Gateway, ip: str, client_id: str | None = None) -> requests.Response:
    token = issue_identity_token(client_id, WIDGET_SECRET) if client_id else None
    return requests.post(f"{gateway.url}/widget/api/conversations", timeout=10,
                         json={"identity_token": token}, headers={"X-Forwarded-For": ip})


def send(gateway: Gateway, key: str, text: str, ip: str) -> requests.Response:
    return requests.post(f"{gateway.url}/widget/api/messages", json={"text": text}, timeout=10,
                         headers={"Authorization": f"Bearer {key}", "X-Forwarded-For": ip})


def test_starting_conversations_beyond_the_per_ip_limit_gets_429_with_retry_after(limited):
    """Nobody can fill the queue from one address: its writes are limited per minute."""
    for _ in range(PER_IP):
        assert start(limited, "10.0.5.1").status_code == 201
    refused = start(limited, "10.0.5.1", "c-ben")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert start(limited, "10.0.5.2").status_code == 201  # another address is not held up


def test_messages_beyond_the_per_conversation_limit_get_429_and_are_not_stored(limited,
                                                                               fake_rasa):
    key = start(limited, "10.0.6.1").json()["conversation_key"]
    for n in range(PER_CONVERSATION):
        assert send(limited, key, f"urgent {n}", "10.0.6.1").status_code == 202
    refused = send(limited, key, "one too many", "10.0.6.2")  # another address: still refused
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    history = requests.get(f"{limited.url}/widget/api/messages", timeout=10,
                           headers={"Authorization": f"Bearer {key}"}).json()["messages"]
    assert "one too many" not in [m["text"] for m in history]
    other = start(limited, "10.0.6.3").json()["conversation_key"]
    assert send(limited, other, "hello", "10.0.6.3").status_code == 202


# --- the limiters themselves: exact timing and bounded memory, on a clock the test moves ---------

class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_rate_limit_allows_its_burst_then_one_per_interval():
    clock = Clock()
    limit = RateLimit(3, period=60, clock=clock)
    assert [limit.hit("a") for _ in range(3)] == [0, 0, 0]
    assert limit.hit("a") == pytest.approx(20)
    clock.now += 20
    assert limit.hit("a") == 0
    assert limit.hit("a") == pytest.approx(20)


def test_the_login_window_slides_and_failures_expire():
    clock = Clock()
    throttle = LoginThrottle(per_address=2, per_ip=10, window=100, clock=clock)
    assert throttle.attempt("a@x", "ip") == 0
    clock.now += 50
    assert throttle.attempt("a@x", "ip") == 0
    assert throttle.attempt("a@x", "ip") == pytest.approx(50)
    clock.now += 51
    assert throttle.attempt("a@x", "ip") == 0


def test_the_limiters_memory_is_bounded_and_expired_keys_are_swept():
    clock = Clock()
    limit = RateLimit(5, period=60, max_keys=100, clock=clock)
    window = SlidingWindow(5, window=60, max_keys=100, clock=clock)
    for n in range(10_000):
        limit.hit(f"ip-{n}")
        window.hit(f"ip-{n}")
    assert len(limit) == 100 and len(window) == 100
    clock.now += 61
    limit.hit("late")
    window.hit("late")
    assert len(limit) == 1 and len(window) == 1

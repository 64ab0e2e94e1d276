"""The Telegram channel in polling mode (local use): the gateway takes updates with the library's
getUpdates from the fake Telegram, and answers through it."""
from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.fake_telegram import FakeTelegram, run_fake_telegram
from tests.helpers.gateway import Gateway, run_gateway
from tests.helpers.telegram_updates import next_update_id, sticker_update, text_update
from tests.telegram.conftest import WEBHOOK_SECRET, telegram_env


@pytest.fixture(scope="module")
def polling_telegram() -> Iterator[FakeTelegram]:
    with run_fake_telegram() as telegram:
        yield telegram


@pytest.fixture(scope="module")
def polling_gateway(fake_rasa: FakeRasa, polling_telegram: FakeTelegram,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with run_gateway(tmp_path_factory.mktemp("telegram-polling"), fake_rasa.port,
                     fake_rasa.shared, env=telegram_env(polling_telegram, "polling")) as gateway:
        yield gateway


def test_polling_takes_updates_from_get_updates_and_answers_them(
        polling_gateway: Gateway, polling_telegram: FakeTelegram, fake_rasa: FakeRasa) -> None:
    user = 20_000_000 + next_update_id() % 1_000_000
    update = text_update(user, "hello from polling")
    polling_telegram.push(update)
    polling_telegram.push(update)  # delivered twice: answered once
    polling_telegram.push(sticker_update(user))
    polling_telegram.wait_for_sent(user, containing="echo: hello from polling")
    polling_telegram.wait_for_sent(user, containing="I can only read text here")
    time.sleep(1.0)
    assert len([m for m in fake_rasa.messages if m["message"] == "hello from polling"]) == 1
    methods = polling_telegram.methods()
    assert "deleteWebhook" in methods and "setWebhook" not in methods
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    assert polling_telegram.refused == []


def test_in_polling_mode_the_webhook_route_is_off(polling_gateway: Gateway) -> None:
    response = requests.post(f"{polling_gateway.url}/telegram/webhook", json={"update_id": 1},
                             headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
                             timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "telegram_webhook_off"


def test_a_token_telegram_refuses_is_not_tried_again_and_the_gateway_serves_on(
        fake_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> None:
    with run_fake_telegram() as telegram:
        env = telegram_env(telegram, "polling")
        env["TELEGRAM_BOT_TOKEN"] = "987654321:AAWrongTokenForTestsOnly_abcdefghijklmn"
        with run_gateway(tmp_path_factory.mktemp("telegram-refused"), fake_rasa.port,
                         fake_rasa.shared, env=env) as gateway:
            deadline = time.monotonic() + 10
            while not telegram.refused and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(2.5)  # a retry would come after 1 s
            assert telegram.refused == ["getMe"]
            assert requests.get(f"{gateway.url}/health", timeout=5).status_code == 200

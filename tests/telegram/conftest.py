"""Fixtures for the Telegram channel's tests: the real gateway process with Telegram on, its Bot
API pointed at a local fake Telegram (tests/helpers/fake_telegram.py), in front of

- `fake_rasa` (tests/helpers/fake_rasa.py): says exactly what Rasa answers and records what it
  was sent (`webhook_gateway`: webhook mode; `polling_gateway`: polling mode);
- the real assistant (`telegram_live_gateway`, tests/telegram/test_telegram_e2e.py).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
import sqlalchemy as sa

from tests.helpers.fake_rasa import FakeRasa, run_fake_rasa
from tests.helpers.fake_telegram import BOT_TOKEN, FakeTelegram, run_fake_telegram
from tests.helpers.gateway import Gateway, run_gateway
from tests.helpers.stack import Assistant

WEBHOOK_SECRET = "telegram-test-webhook-secret_0123456789-abc"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def telegram_env(telegram: FakeTelegram, mode: str) -> dict[str, str]:
    env = {"TELEGRAM_BOT_TOKEN": BOT_TOKEN, "TELEGRAM_MODE": mode,
           "TELEGRAM_API_URL": telegram.url}
    if mode == "webhook":
        env["TELEGRAM_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    return env


@dataclass
class TelegramGateway:
    gateway: Gateway
    telegram: FakeTelegram

    def post(self, update: object, secret: str | None = WEBHOOK_SECRET,
             raw: bytes | None = None) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        if raw is not None:
            return requests.post(f"{self.gateway.url}/telegram/webhook", data=raw,
                                 headers=headers, timeout=10)
        return requests.post(f"{self.gateway.url}/telegram/webhook", json=update,
                             headers=headers, timeout=10)

    def send(self, update: object) -> None:
        response = self.post(update)
        assert response.status_code == 200, response.text
        assert response.json() == {"ok": True}

    def conversations(self, external_id: str) -> list[sa.Row]:
        """The stored conversations (id, channel, client_id) with this external id."""
        engine = sa.create_engine(self.gateway.database_url)
        try:
            with engine.connect() as connection:
                return list(connection.execute(
                    sa.text("SELECT id, channel, client_id FROM conversations "
                            "WHERE external_id = :e"), {"e": external_id}))
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    with run_fake_rasa() as rasa:
        yield rasa


@pytest.fixture(autouse=True)
def _fresh_fakes(request: pytest.FixtureRequest) -> None:
    if "fake_rasa" in request.fixturenames:
        rasa: FakeRasa = request.getfixturevalue("fake_rasa")
        rasa.reset_answers()


@pytest.fixture(scope="module")
def fake_telegram() -> Iterator[FakeTelegram]:
    with run_fake_telegram() as telegram:
        yield telegram


@pytest.fixture(scope="module")
def webhook_gateway(fake_rasa: FakeRasa, fake_telegram: FakeTelegram,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[TelegramGateway]:
    with run_gateway(tmp_path_factory.mktemp("telegram-webhook"), fake_rasa.port, fake_rasa.shared,
                     env=telegram_env(fake_telegram, "webhook")) as gateway:
        yield TelegramGateway(gateway, fake_telegram)


@pytest.fixture(scope="module")
def telegram_live_gateway(assistant: Assistant, fake_telegram: FakeTelegram,
                          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TelegramGateway]:
    """The real gateway in webhook mode in front of the real assistant (Rasa with the model,
    action server, sandbox)."""
    with run_gateway(tmp_path_factory.mktemp("telegram-live"), assistant.ports.rasa,
                     assistant.shared, sandbox_port=assistant.ports.sandbox,
                     env=telegram_env(fake_telegram, "webhook")) as gateway:
        yield TelegramGateway(gateway, fake_telegram)

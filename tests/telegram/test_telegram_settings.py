"""Telegram's settings (bot/config.py): off without a token, checked when on."""
from __future__ import annotations

import logging

import pytest

from bot.config import (
    SettingsError,
    load_gateway_settings,
    load_platform_settings,
    load_telegram_settings,
)
from bot.gateway.app import create_app

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmnop"
SECRET = "s" * 40


def test_without_a_token_telegram_is_off() -> None:
    assert load_telegram_settings({}) is None
    assert load_telegram_settings({"TELEGRAM_BOT_TOKEN": "  "}) is None


def test_polling_is_the_default_and_the_api_url_can_point_elsewhere() -> None:
    settings = load_telegram_settings({"TELEGRAM_BOT_TOKEN": TOKEN,
                                       "TELEGRAM_API_URL": "http://127.0.0.1:8081/"})
    assert settings is not None
    assert (settings.mode, settings.webhook_secret, settings.api_url) == (
        "polling", None, "http://127.0.0.1:8081")
    assert TOKEN not in repr(settings)


def test_webhook_mode_needs_a_secret_telegram_accepts() -> None:
    settings = load_telegram_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_MODE": "Webhook",
                                       "TELEGRAM_WEBHOOK_SECRET": SECRET})
    assert settings is not None and settings.webhook_secret == SECRET
    assert SECRET not in repr(settings)
    for secret, says in (("", "TELEGRAM_WEBHOOK_SECRET is not set"),
                         ("short", "too short"),
                         ("a" * 40 + "!", "may hold only")):
        with pytest.raises(SettingsError, match=says):
            load_telegram_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_MODE": "webhook",
                                    "TELEGRAM_WEBHOOK_SECRET": secret})


def test_a_malformed_token_or_mode_is_named() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN doesn't look like"):
        load_telegram_settings({"TELEGRAM_BOT_TOKEN": "not-a-token"})
    with pytest.raises(SettingsError, match="TELEGRAM_MODE must be polling or webhook"):
        load_telegram_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_MODE": "push"})
    with pytest.raises(SettingsError, match="TELEGRAM_API_URL"):
        load_telegram_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "ftp://x"})


def test_without_a_token_the_gateway_says_once_that_telegram_is_off(
        caplog: pytest.LogCaptureFixture, tmp_path) -> None:
    env = {"GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
           "RASA_TOKEN": "r" * 40, "RASA_WEBHOOK_SECRET": "w" * 40,
           "WIDGET_TOKEN_SECRET": "t" * 40, "DEMO_AGENT_PASSWORD": "p" * 16}
    caplog.set_level(logging.INFO)
    app = create_app(load_gateway_settings(env), load_platform_settings(env))
    said = [r.getMessage() for r in caplog.records if "Telegram" in r.getMessage()]
    assert said == ["Telegram is off: TELEGRAM_BOT_TOKEN is not set (see .env.example)"]
    assert app.state.services.telegram is None
    app.state.services.db.dispose()

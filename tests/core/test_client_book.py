"""Clients' names and time zones from the real sandbox platform, one remembered record for both
(bot/core/client_account.py `ClientBook`); UTC when the platform doesn't know or can't answer."""
from __future__ import annotations

import asyncio
from datetime import UTC

from bot.core.client_account import ClientBook
from platform_api import DEV_PLATFORM_API_KEY, PlatformClient
from tests.helpers.processes import free_port
from tests.helpers.sandbox_server import run_sandbox


def test_names_and_zones_come_from_the_platform_record(tmp_path):
    with run_sandbox(f"sqlite:///{tmp_path / 'sandbox.db'}", DEV_PLATFORM_API_KEY) as sandbox:
        book = ClientBook(PlatformClient(sandbox, DEV_PLATFORM_API_KEY))
        assert asyncio.run(book.name_of("c-chloe")) == "Chloe Dubois"
        assert getattr(asyncio.run(book.zone_of("c-chloe")), "key", None) == "Europe/Paris"
        assert asyncio.run(book.zone_of("c-nobody")) is UTC
    # Remembered: the platform is gone, Chloe's zone is still known.
    assert getattr(asyncio.run(book.zone_of("c-chloe")), "key", None) == "Europe/Paris"


def test_a_platform_that_cannot_answer_gives_utc():
    book = ClientBook(PlatformClient(f"http://127.0.0.1:{free_port()}", DEV_PLATFORM_API_KEY))
    assert asyncio.run(book.zone_of("c-chloe")) is UTC
    assert asyncio.run(book.name_of("c-chloe")) is None

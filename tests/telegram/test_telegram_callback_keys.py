"""Long button payloads by key (bot/channels/telegram_buttons.py) on a real store, SQLite and
PostgreSQL: the whole payload back, the same button the same key, stored once."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot.channels.telegram_buttons import KEY_PREFIX, CallbackKeys
from bot.store.db import Database, make_engine
from bot.store.migrate import upgrade_head
from bot.store.models import TelegramCallbackKey
from tests.helpers.postgres import BOTH_BACKENDS, require_postgres, temporary_schema

LONG = '/choose_slot{"slot_id": "' + "s" * 120 + '"}'


@pytest.fixture(params=BOTH_BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:
    if request.param == "postgresql":
        require_postgres()
        with temporary_schema() as url:
            engine = make_engine(url)
            upgrade_head(engine)
            yield Database(engine)
            engine.dispose()
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
        upgrade_head(engine)
        yield Database(engine)
        engine.dispose()


def test_a_long_payload_goes_by_key_and_comes_back_whole(db: Database) -> None:
    keys = CallbackKeys(db)

    async def scenario() -> None:
        buttons = [{"title": "Wed 10:00", "payload": LONG}, {"title": "Stop", "payload": "/stop"}]
        first, again = await asyncio.gather(keys.keyboard(buttons), keys.keyboard(buttons))
        assert first is not None and again is not None
        data = [row[0].callback_data for row in first.inline_keyboard]
        assert data == [row[0].callback_data for row in again.inline_keyboard]
        assert str(data[0]).startswith(KEY_PREFIX) and data[1] == "/stop"
        pressed = await keys.pressed(str(data[0]), None)
        assert pressed is not None and (pressed.payload, pressed.title) == (LONG, "Wed 10:00")
        assert await keys.pressed(KEY_PREFIX + "A" * 22, None) is None
        stop = await keys.pressed("/stop", None)
        assert stop is not None and stop.payload == "/stop"

    asyncio.run(scenario())
    with db.engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(TelegramCallbackKey))
        assert count.scalar_one() == 1

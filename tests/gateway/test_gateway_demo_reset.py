"""`make reset-demo` (and `make run`, which re-seeds the demo hub) start the demo with an empty
conversation store: `python -m bot.cli clear-conversations` deletes every conversation and its
messages, keeps the agents, and says so."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sqlalchemy import func, select

from bot.processes import ROOT, VENV_PYTHON
from bot.store import conversations as store
from bot.store.db import Database
from bot.store.migrate import upgrade_head
from bot.store.models import Agent, Conversation, Message, Sender
from tests.helpers.gateway_store import add_agent


def count(database_url: str, model: type) -> int:
    db = Database.from_url(database_url)
    try:
        return db.run_sync(lambda session: session.scalar(select(func.count()).select_from(model)))
    finally:
        db.dispose()


def old_conversations(database_url: str, how_many: int) -> None:
    """Conversations from an earlier run, each with a message."""
    db = Database.from_url(database_url)
    try:
        upgrade_head(db.engine)

        def add(session) -> None:
            for _ in range(how_many):
                conversation, _ = store.create_conversation(session, "widget", "c-ben")
                store.add_message(session, conversation, Sender.CLIENT, "from an earlier run")
        db.run_sync(add)
    finally:
        db.dispose()


def clear_conversations(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(VENV_PYTHON), "-m", "bot.cli", "clear-conversations"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60, check=False)


def test_clear_conversations_empties_the_store_and_keeps_the_agents(tmp_path: Path):
    database_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    old_conversations(database_url, 6)
    add_agent(database_url, "sam@support.example", "sams-own-password-123", "Sam")
    env = {**os.environ, "GATEWAY_DATABASE_URL": database_url}
    done = clear_conversations(env)
    assert done.returncode == 0, done.stderr
    assert "conversation store starts empty (6 old conversations cleared" in done.stdout
    assert (count(database_url, Conversation), count(database_url, Message)) == (0, 0)
    assert count(database_url, Agent) == 1


def test_a_store_that_cannot_be_written_is_named_with_the_fix(tmp_path: Path):
    """A store in a folder that can't be created stops with exit code 2 and names the setting."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env = {**os.environ, "GATEWAY_DATABASE_URL": f"sqlite:///{blocker / 'gateway.db'}"}
    done = clear_conversations(env)
    assert done.returncode == 2
    assert "GATEWAY_DATABASE_URL" in done.stderr

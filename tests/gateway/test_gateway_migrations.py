"""The Alembic migrations build exactly the schema of the models, on SQLite and PostgreSQL, also
through the `alembic` command with nothing but GATEWAY_DATABASE_URL set."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from bot.processes import ROOT
from bot.store import routing
from bot.store.conversations import add_message
from bot.store.db import Database, make_engine
from bot.store.migrate import alembic_config, upgrade_head
from bot.store.models import Base, Conversation, Message, Sender, now_utc
from tests.helpers.postgres import BOTH_BACKENDS, require_postgres, temporary_schema


@pytest.fixture(params=BOTH_BACKENDS)
def engine(request, tmp_path) -> Iterator[Engine]:
    if request.param == "postgresql":
        require_postgres()
        with temporary_schema() as url:
            engine = make_engine(url)
            yield engine
            engine.dispose()
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
        yield engine
        engine.dispose()


def test_upgrade_head_matches_the_models(engine):
    """compare_metadata finds no difference (tables, columns, types, indexes, constraints)."""
    upgrade_head(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_head_twice_changes_nothing(engine):
    """The gateway runs it at every start."""
    upgrade_head(engine)
    upgrade_head(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"conversations", "messages", "agents", "agent_sessions", "audit_events",
            "alembic_version"} <= tables


def test_messages_stored_before_routing_was_tracked_count_as_routed(engine):
    """0003 adds `messages.routed`: the history already there was answered long ago, so the next
    start must not route it again; a client message stored from then on waits for its turn."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conversations (id, channel, client_id, conversation_key_hash, mode, "
            "rasa_paused, last_seq, created_at, updated_at) VALUES ('c1', 'widget', NULL, "
            "'hash', 'bot', false, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO messages (id, conversation_id, seq, sender, kind, text, buttons, "
            "created_at) VALUES ('m1', 'c1', 1, 'client', 'text', 'hello', '[]', "
            "CURRENT_TIMESTAMP)"))
    upgrade_head(engine)
    db = Database(engine)
    assert db.run_sync(lambda session: session.get(Message, "m1").routed) is True

    def add_client_message(session) -> bool:
        conversation = session.get(Conversation, "c1")
        return add_message(session, conversation, Sender.CLIENT, "hello again").routed

    assert db.run_sync(add_client_message) is False
    assert db.run_sync(lambda session: routing.conversations_to_route(
        session, "a-replica", now_utc())) == ["c1"]


SECRET_NAMES = ("RASA_TOKEN", "WIDGET_TOKEN_SECRET", "DEMO_AGENT_PASSWORD", "PLATFORM_API_KEY")


def alembic(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """`.venv/bin/alembic *args` from the repository root, in an environment that holds the
    database URL and nothing else of ours: no secret at all."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GATEWAY_DATABASE_URL": database_url}
    assert not any(name in env for name in SECRET_NAMES)
    return subprocess.run([str(ROOT / ".venv" / "bin" / "alembic"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_the_alembic_command_needs_only_the_database_url(engine):
    url = engine.url.render_as_string(hide_password=False)
    result = alembic("upgrade", "head", database_url=url)
    assert result.returncode == 0, result.stderr
    tables = set(inspect(engine).get_table_names())
    assert {"conversations", "messages", "agents", "agent_sessions", "audit_events",
            "alembic_version"} <= tables
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    current = alembic("current", database_url=url)
    assert "(head)" in current.stdout, current.stderr


def test_the_alembic_command_names_a_malformed_database_url():
    result = alembic("upgrade", "head", database_url="postgresql+psycopg://gw:hunter2@db:x/gw")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "GATEWAY_DATABASE_URL is not a database URL" in result.stderr
    assert "hunter2" not in result.stderr

"""The Alembic migrations build exactly the schema of the models, on SQLite and PostgreSQL."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from bot.store.db import make_engine
from bot.store.migrate import upgrade_head
from bot.store.models import Base
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

"""Bring a database to the newest schema: `upgrade_head(engine)` (Alembic's `upgrade head`)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parents[2]


def alembic_config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "bot" / "store" / "migrations"))
    config.attributes["configure_logging"] = False
    return config


def upgrade_head(engine: Engine) -> None:
    """Apply every migration not yet applied, in one transaction on the engine's database."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

"""Telegram buttons whose payload is longer than the 64 bytes of `callback_data`: a short key
stands for the payload and its title.

Revision ID: 0006
Revises: 0005 (written on a branch from 0004; chained after 0005 when main with 0005 was merged)
Create Date: 2026-11-30
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "telegram_callback_keys",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_telegram_callback_keys")),
    )


def downgrade() -> None:
    op.drop_table("telegram_callback_keys")

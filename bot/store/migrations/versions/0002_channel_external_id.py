"""Conversations of every channel: the channel's own conversation id, unique per channel.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch.create_unique_constraint("uq_conversations_channel_external_id",
                                       ["channel", "external_id"])


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_constraint("uq_conversations_channel_external_id", type_="unique")
        batch.drop_column("external_id")

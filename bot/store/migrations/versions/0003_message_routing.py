"""Messages routed once, also across a restart: a routed flag, and a routing lease per conversation.

Every message stored before this revision counts as routed (answered long ago).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("routed", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.create_index("ix_messages_unrouted", ["routed", "conversation_id"])
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("routing_by", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("routing_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("routing_until")
        batch.drop_column("routing_by")
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_unrouted")
        batch.drop_column("routed")

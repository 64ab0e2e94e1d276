"""Slack and Telegram with account linking: the chat accounts linked to clients, the link codes
they tried (5 wrong ones an hour), whether a conversation is shared (a group chat or channel),
the linked client's name, whether Rasa still has to be told the conversation's new client, and
the assistant's answers meant for the asker only.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_links",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("client_name", sa.String(length=200), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "user_id", name=op.f("pk_channel_links")),
    )
    op.create_table(
        "link_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_attempts")),
    )
    op.create_index("ix_link_attempts_user", "link_attempts", ["channel", "user_id", "at"])
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("client_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("shared", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("rasa_identity_stale", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("private_only", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("private_only")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("rasa_identity_stale")
        batch.drop_column("shared")
        batch.drop_column("client_name")
    op.drop_index("ix_link_attempts_user", table_name="link_attempts")
    op.drop_table("link_attempts")
    op.drop_table("channel_links")

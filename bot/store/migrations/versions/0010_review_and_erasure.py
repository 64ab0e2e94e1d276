"""The review queue (review_items), when a conversation was erased (conversations.erased_at),
and an agent's role ("agent" or "lead"), unless another migration has added it already.

Revision ID: 0010
Revises: 0007 (re-chained at the merge)
Create Date: 2026-11-30
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _has_role() -> bool:
    return "role" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("agents")}


def upgrade() -> None:
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_key", sa.String(64), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(36), nullable=True),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("label", sa.String(100), nullable=True),
        sa.Column("labelled_by", sa.String(36), nullable=True),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("batch", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="SET NULL",
                                name=op.f("fk_review_items_conversation_id_conversations")),
        sa.ForeignKeyConstraint(["labelled_by"], ["agents.id"],
                                name=op.f("fk_review_items_labelled_by_agents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
        sa.UniqueConstraint("text_key", name=op.f("uq_review_items_text_key")),
    )
    op.create_index(op.f("ix_review_items_conversation_id"), "review_items", ["conversation_id"])
    op.create_index(op.f("ix_review_items_status"), "review_items", ["status"])
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    if not _has_role():
        with op.batch_alter_table("agents") as batch:
            batch.add_column(sa.Column("role", sa.String(16), nullable=False,
                                       server_default="agent"))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("erased_at")
    op.drop_index(op.f("ix_review_items_status"), table_name="review_items")
    op.drop_index(op.f("ix_review_items_conversation_id"), table_name="review_items")
    op.drop_table("review_items")

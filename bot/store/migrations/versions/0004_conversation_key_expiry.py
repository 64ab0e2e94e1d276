"""Widget conversation keys expire: when each key was last used, and when the client's identity
was last verified (a signed-in conversation needs a fresh identity token now and then).

Existing conversations count as last used (and, signed in, last verified) at their last change.

Revision ID: 0004
Revises: 0003 (written on a branch from 0002; chained after 0003 at the merge)
Create Date: 2026-11-30
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("key_used_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("identity_verified_at", sa.DateTime(timezone=True),
                                   nullable=True))
    conversations = sa.table("conversations", sa.column("key_used_at"),
                             sa.column("identity_verified_at"), sa.column("updated_at"),
                             sa.column("client_id"))
    op.execute(conversations.update().values(key_used_at=conversations.c.updated_at))
    op.execute(conversations.update().where(conversations.c.client_id.is_not(None))
               .values(identity_verified_at=conversations.c.updated_at))
    with op.batch_alter_table("conversations") as batch:
        batch.alter_column("key_used_at", existing_type=sa.DateTime(timezone=True),
                           nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("identity_verified_at")
        batch.drop_column("key_used_at")

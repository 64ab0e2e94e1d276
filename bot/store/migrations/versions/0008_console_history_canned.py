"""The console's saved replies (canned replies: the team's seeded set and each agent's own), and
who follows a conversation they handed back (its next turns reach their console until they close
it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The team's seeded set (agent_id NULL: every agent sees them, nobody edits them in the console).
# `{first_name}` is the client's first name, filled in by the console when inserted.
SEEDED = [
    ("seed-greeting", "Greeting",
     "Hi {first_name}, thanks for waiting. I'm looking at your conversation now."),
    ("seed-invoice-resend", "Invoice re-sent",
     ("Hi {first_name}, I've re-sent your invoice to the e-mail address on your account. It can "
     "take a few minutes to arrive; please check your spam folder too. The invoice has a "
     "payment link, and paying it clears it from your account.")),
    ("seed-out-of-hours", "Out-of-hours follow-up",
     ("Hi {first_name}, thanks for your message last night. The team is back now and I'm picking "
     "this up for you.")),
    ("seed-no-credits", "No credits left",
     ("Hi {first_name}, your sponsored credits for this period are used up. You can keep booking "
     "at your own expense (you're invoiced after the professional confirms), or ask your "
     "employer's Hub whether more credits are possible.")),
    ("seed-closing", "Closing",
     ("Is there anything else I can help you with, {first_name}? If not, I'll close this "
     "conversation; you can write again here at any time.")),
]


def upgrade() -> None:
    table = op.create_table(
        "canned_replies",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("agent_id", sa.String(36), nullable=True),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], ondelete="CASCADE",
                                name=op.f("fk_canned_replies_agent_id_agents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_replies")),
    )
    op.create_index(op.f("ix_canned_replies_agent_id"), "canned_replies", ["agent_id"])
    now = datetime.now(UTC)
    op.bulk_insert(table, [{"id": key, "agent_id": None, "title": title, "text": text,
                            "created_at": now, "updated_at": now}
                           for key, title, text in SEEDED])
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("watching_agent_id", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("watching_agent_id")
    op.drop_index(op.f("ix_canned_replies_agent_id"), table_name="canned_replies")
    op.drop_table("canned_replies")

"""Escalations (threads handed to staff, with the reason, a summary, and who handed them
back), and the outbox index the sender claims by.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from quita.sqltypes import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "escalation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("wa_id", sa.String(20), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=True),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(128), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_escalation_wa_id", "escalation", ["wa_id"])
    op.create_index("ix_escalation_customer_id", "escalation", ["customer_id"])
    op.create_index("ix_escalation_status_created_at", "escalation", ["status", "created_at"])
    op.create_index("ix_outbox_message_to_status", "outbox_message", ["to", "status"])


def downgrade() -> None:
    op.drop_index("ix_outbox_message_to_status", "outbox_message")
    op.drop_table("escalation")

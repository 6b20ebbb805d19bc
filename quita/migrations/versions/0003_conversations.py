"""Conversations: WhatsApp threads, the inbox, received media, and the outbox's delivery columns.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from quita.sqltypes import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTBOX_STAMPS = (
    "next_attempt_at",
    "locked_until",
    "sent_at",
    "delivered_at",
    "read_at",
    "failed_at",
)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _stamp(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def upgrade() -> None:
    _create_thread()
    _create_inbound_message()
    _create_inbound_media()
    _extend_outbox()


def _create_thread() -> None:
    op.create_table(
        "wa_thread",
        _id(),
        sa.Column("wa_id", sa.String(20), nullable=False, unique=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=True),
        sa.Column("owner", sa.String(8), nullable=False),
        _stamp("last_inbound_at"),
        _stamp("opted_out_at"),
        sa.Column("locked_by", sa.String(64), nullable=True),
        _stamp("locked_until"),
        _stamp("created_at", nullable=False),
    )
    op.create_index("ix_wa_thread_customer_id", "wa_thread", ["customer_id"])


def _create_inbound_message() -> None:
    op.create_table(
        "inbound_message",
        _id(),
        sa.Column("wamid", sa.String(128), nullable=False, unique=True),
        sa.Column("wa_id", sa.String(20), nullable=False),
        sa.Column("phone_number_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("reply_id", sa.String(256), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        _stamp("sent_at", nullable=False),
        _stamp("received_at", nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _stamp("processed_at"),
    )
    op.create_index(
        "ix_inbound_message_thread_order", "inbound_message", ["wa_id", "status", "sent_at"]
    )


def _create_inbound_media() -> None:
    op.create_table(
        "inbound_media",
        _id(),
        sa.Column(
            "message_id",
            sa.Integer(),
            sa.ForeignKey("inbound_message.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("media_id", sa.String(128), nullable=False),
        sa.Column("mime_type", sa.String(128), nullable=True),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("fetch_error", sa.Text(), nullable=True),
        _stamp("fetched_at"),
    )


def _extend_outbox() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.alter_column("customer_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="text"))
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("wamid", sa.String(128), nullable=True))
        batch.add_column(sa.Column("error_code", sa.String(16), nullable=True))
        batch.add_column(sa.Column("error_detail", sa.Text(), nullable=True))
        for name in OUTBOX_STAMPS:
            batch.add_column(_stamp(name))
    op.create_index("ix_outbox_message_wamid", "outbox_message", ["wamid"])


def downgrade() -> None:
    op.drop_index("ix_outbox_message_wamid", "outbox_message")
    with op.batch_alter_table("outbox_message") as batch:
        for name in ("kind", "payload", "attempts", "wamid", "error_code", "error_detail"):
            batch.drop_column(name)
        for name in OUTBOX_STAMPS:
            batch.drop_column(name)
        batch.alter_column("customer_id", existing_type=sa.Integer(), nullable=False)
    for table in ("inbound_media", "inbound_message", "wa_thread"):
        op.drop_table(table)

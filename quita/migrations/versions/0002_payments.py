"""Payments: charges issued, payment notices received, ERP actions and the message outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from quita.sqltypes import Money, UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _stamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def _fk(name: str, target: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target), nullable=nullable)


def upgrade() -> None:
    _create_payment_charge()
    _create_payment_notice()
    _create_erp_action()
    _create_outbox_message()


def _create_payment_charge() -> None:
    op.create_table(
        "payment_charge",
        _id(),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False, unique=True),
        _fk("invoice_id", "invoice.id"),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        _stamp("created_at"),
    )
    op.create_index("ix_payment_charge_invoice_id", "payment_charge", ["invoice_id"])


def _create_payment_notice() -> None:
    # The unique source_ref is what makes settlement at-most-once, even across processes.
    op.create_table(
        "payment_notice",
        _id(),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.String(128), nullable=False, unique=True),
        sa.Column("reference", sa.String(64), nullable=True),
        sa.Column("amount", Money(), nullable=False),
        _stamp("paid_at"),
        sa.Column("status", sa.String(16), nullable=False),
        _fk("invoice_id", "invoice.id", nullable=True),
        _fk("charge_id", "payment_charge.id", nullable=True),
        _fk("payment_id", "payment.id", nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("raw", sa.JSON(), nullable=False),
        _stamp("created_at"),
    )
    for column in ("reference", "status", "invoice_id", "charge_id", "payment_id"):
        op.create_index(f"ix_payment_notice_{column}", "payment_notice", [column])


def _create_erp_action() -> None:
    op.create_table(
        "erp_action",
        _id(),
        _fk("contract_id", "contract.id"),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _stamp("requested_at"),
        _stamp("done_at", nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_erp_action_contract_id", "erp_action", ["contract_id"])
    op.create_index("ix_erp_action_status_requested_at", "erp_action", ["status", "requested_at"])


def _create_outbox_message() -> None:
    op.create_table(
        "outbox_message",
        _id(),
        _fk("customer_id", "customer.id"),
        sa.Column("to", sa.String(20), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        _stamp("created_at"),
    )
    op.create_index("ix_outbox_message_customer_id", "outbox_message", ["customer_id"])
    op.create_index(
        "ix_outbox_message_status_created_at", "outbox_message", ["status", "created_at"]
    )


def downgrade() -> None:
    for table in ("outbox_message", "erp_action", "payment_notice", "payment_charge"):
        op.drop_table(table)

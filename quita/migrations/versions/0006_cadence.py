"""The dunning cadence: the cadence log (each step of each bill once), debtors' segments with
their reasons and pins, and staff holds.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from quita.sqltypes import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(name: str, target: str, nullable: bool = True) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target), nullable=nullable)


def _count(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "cadence_step",
        sa.Column("id", sa.Integer(), primary_key=True),
        # Copied by the planner from rows it reads in the same statement: no foreign keys,
        # whose row-by-row checks doubled the time of planning a million bills.
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("installment_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(32), nullable=False),
        sa.Column("tone", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=True),
        sa.Column("mandatory", sa.Boolean(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("send_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=True),
        _fk("outbox_message_id", "outbox_message.id"),
        _fk("erp_action_id", "erp_action.id"),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("executed_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("invoice_id", "step", "revision", name="uq_cadence_step_invoice"),
        sa.UniqueConstraint(
            "installment_id", "step", "revision", name="uq_cadence_step_installment"
        ),
    )
    op.create_index("ix_cadence_step_status_send_at", "cadence_step", ["status", "send_at"])
    op.create_index("ix_cadence_step_planned_on", "cadence_step", ["planned_on"])
    undelivered = sa.text("action = 'notice' AND delivered_at IS NULL")
    op.create_index(
        "ix_cadence_step_undelivered_notice",
        "cadence_step",
        ["planned_on"],
        postgresql_where=undelivered,
        sqlite_where=undelivered,
    )

    op.create_table(
        "customer_segment",
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), primary_key=True),
        sa.Column("segment", sa.String(32), nullable=False),
        sa.Column("rule", sa.String(32), nullable=False),
        _count("tenure_days"),
        _count("billed_12m"),
        _count("late_12m"),
        _count("paid_late_12m"),
        sa.Column("avg_days_late", sa.Float(), nullable=False),
        _count("max_open_days_late"),
        _count("broken_agreements_12m"),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("pinned_segment", sa.String(32), nullable=True),
        sa.Column("pinned_by", sa.String(128), nullable=True),
        sa.Column("pinned_reason", sa.Text(), nullable=True),
        sa.Column("pinned_at", UTCDateTime(), nullable=True),
    )

    op.create_table(
        "cadence_hold",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("customer_id", "customer.id", nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("held_by", sa.String(128), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("released_at", UTCDateTime(), nullable=True),
        sa.Column("released_by", sa.String(128), nullable=True),
    )
    op.create_index("ix_cadence_hold_customer_id", "cadence_hold", ["customer_id"])


def downgrade() -> None:
    op.drop_table("cadence_hold")
    op.drop_table("customer_segment")
    op.drop_table("cadence_step")

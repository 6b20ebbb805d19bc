"""Agreements and their installments, promises to pay, payment reports, trust unblocks and
disputes; charges, payments and notices may name an installment instead of an invoice.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from quita.sqltypes import Money, UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSTALLMENT_FK = "agreement_installment.id"
# Tables whose rows may now point at an installment, with the name of their foreign key.
INSTALLMENT_COLUMNS = {
    "payment_charge": "fk_payment_charge_installment_id",
    "payment": "fk_payment_installment_id",
    "payment_notice": "fk_payment_notice_installment_id",
}
NEW_TABLES = (
    "dispute",
    "trust_unblock",
    "payment_report",
    "payment_promise",
    "agreement_invoice",
    "agreement_installment",
    "agreement",
)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _stamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def _fk(name: str, target: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target), nullable=nullable)


def _key() -> sa.Column[str]:
    return sa.Column("idempotency_key", sa.String(255), nullable=False, unique=True)


def _index(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    _create_agreement()
    _create_agreement_installment()
    _create_agreement_invoice()
    _create_payment_promise()
    _create_payment_report()
    _create_trust_unblock()
    _create_dispute()
    _point_at_installments()


def _create_agreement() -> None:
    op.create_table(
        "agreement",
        _id(),
        _fk("customer_id", "customer.id"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("offer_id", sa.String(32), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        *(
            sa.Column(name, Money(), nullable=False)
            for name in (
                "original_total",
                "discount_interest",
                "discount_late_fee",
                "discount_principal",
                "total",
            )
        ),
        _key(),
        _stamp("created_at"),
        _stamp("closed_at", nullable=True),
    )
    _index("agreement", "customer_id")


def _create_agreement_installment() -> None:
    op.create_table(
        "agreement_installment",
        _id(),
        _fk("agreement_id", "agreement.id"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _stamp("paid_at", nullable=True),
        sa.UniqueConstraint("agreement_id", "number", name="uq_agreement_installment_number"),
    )
    _index("agreement_installment", "agreement_id")
    op.create_index(
        "ix_agreement_installment_status_due_date",
        "agreement_installment",
        ["status", "due_date"],
    )


def _create_agreement_invoice() -> None:
    op.create_table(
        "agreement_invoice",
        _id(),
        _fk("agreement_id", "agreement.id"),
        _fk("invoice_id", "invoice.id"),
        sa.Column("amount", Money(), nullable=False),
        sa.UniqueConstraint("agreement_id", "invoice_id", name="uq_agreement_invoice_pair"),
    )
    _index("agreement_invoice", "agreement_id", "invoice_id")


def _create_payment_promise() -> None:
    op.create_table(
        "payment_promise",
        _id(),
        _fk("customer_id", "customer.id"),
        sa.Column("promised_date", sa.Date(), nullable=False),
        sa.Column("pause_until", sa.Date(), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _key(),
        _stamp("created_at"),
        _stamp("resolved_at", nullable=True),
    )
    _index("payment_promise", "customer_id")


def _create_payment_report() -> None:
    op.create_table(
        "payment_report",
        _id(),
        _fk("customer_id", "customer.id"),
        _stamp("reported_at"),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("pause_until", sa.Date(), nullable=False),
        # No foreign key: the receipt lives in the conversation layer's inbound_media table.
        sa.Column("receipt_media_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        _key(),
        _stamp("resolved_at", nullable=True),
    )
    _index("payment_report", "customer_id")


def _create_trust_unblock() -> None:
    op.create_table(
        "trust_unblock",
        _id(),
        _fk("contract_id", "contract.id"),
        _fk("customer_id", "customer.id"),
        _stamp("granted_at"),
        sa.Column("until", sa.Date(), nullable=False),
        _fk("erp_action_id", "erp_action.id", nullable=True),
        _key(),
    )
    _index("trust_unblock", "contract_id", "customer_id", "erp_action_id")


def _create_dispute() -> None:
    op.create_table(
        "dispute",
        _id(),
        _fk("customer_id", "customer.id"),
        _fk("invoice_id", "invoice.id", nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _stamp("opened_at"),
        sa.Column("answer_due", sa.Date(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        _stamp("answered_at", nullable=True),
        _stamp("closed_at", nullable=True),
        _key(),
    )
    _index("dispute", "customer_id", "invoice_id")


def _point_at_installments() -> None:
    for table, fk_name in INSTALLMENT_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("installment_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(fk_name, "agreement_installment", ["installment_id"], ["id"])
            if table == "payment_charge":
                batch.alter_column("invoice_id", existing_type=sa.Integer(), nullable=True)
        _index(table, "installment_id")


def downgrade() -> None:
    # Charges of installments cannot survive without them; invoices that agreements replaced
    # become open again, as they were before agreements existed.
    op.execute(
        "UPDATE payment_notice SET charge_id = NULL WHERE charge_id IN "
        "(SELECT id FROM payment_charge WHERE invoice_id IS NULL)"
    )
    op.execute("DELETE FROM payment_charge WHERE invoice_id IS NULL")
    op.execute("UPDATE invoice SET status = 'open' WHERE status = 'renegotiated'")
    for table, fk_name in INSTALLMENT_COLUMNS.items():
        op.drop_index(f"ix_{table}_installment_id", table)
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(fk_name, type_="foreignkey")
            batch.drop_column("installment_id")
            if table == "payment_charge":
                batch.alter_column("invoice_id", existing_type=sa.Integer(), nullable=False)
    for table in NEW_TABLES:
        op.drop_table(table)

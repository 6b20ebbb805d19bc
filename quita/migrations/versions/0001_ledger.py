"""The ledger: customers, contracts, invoices, payments and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from quita.sqltypes import Money, UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_MESSAGE = "audit_entry is append-only"


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _stamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def upgrade() -> None:
    _create_customer()
    _create_contract()
    _create_invoice()
    _create_payment()
    _create_audit_entry()


def _create_customer() -> None:
    op.create_table(
        "customer",
        _id(),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("document", sa.String(14), nullable=False),
        sa.Column("document_kind", sa.String(4), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("state", sa.String(2), nullable=False),
        sa.Column("segment", sa.String(32), nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
    )
    op.create_index("ix_customer_external_id", "customer", ["external_id"], unique=True)
    op.create_index("ix_customer_document", "customer", ["document"])
    op.create_index("ix_customer_phone", "customer", ["phone"])


def _create_contract() -> None:
    op.create_table(
        "contract",
        _id(),
        sa.Column("external_id", sa.String(64), nullable=True, unique=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("plan", sa.String(120), nullable=False),
        sa.Column("monthly_fee", Money(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("activated_on", sa.Date(), nullable=False),
        sa.Column("suspended_on", sa.Date(), nullable=True),
        sa.Column("rescinded_on", sa.Date(), nullable=True),
        _stamp("created_at"),
    )
    op.create_index("ix_contract_customer_id", "contract", ["customer_id"])


def _create_invoice() -> None:
    op.create_table(
        "invoice",
        _id(),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("contract_id", sa.Integer(), sa.ForeignKey("contract.id"), nullable=True),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("reference_month", sa.String(7), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _stamp("paid_at", nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
    )
    op.create_index("ix_invoice_external_id", "invoice", ["external_id"], unique=True)
    op.create_index("ix_invoice_customer_id", "invoice", ["customer_id"])
    op.create_index("ix_invoice_contract_id", "invoice", ["contract_id"])
    op.create_index("ix_invoice_status_due_date", "invoice", ["status", "due_date"])


def _create_payment() -> None:
    op.create_table(
        "payment",
        _id(),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoice.id"), nullable=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=True),
        sa.Column("amount", Money(), nullable=False),
        _stamp("paid_at"),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.String(128), nullable=True, unique=True),
        _stamp("created_at"),
    )
    op.create_index("ix_payment_invoice_id", "payment", ["invoice_id"])
    op.create_index("ix_payment_customer_id", "payment", ["customer_id"])


def _create_audit_entry() -> None:
    op.create_table(
        "audit_entry",
        _id(),
        _stamp("at"),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_audit_entry_action", "audit_entry", ["action"])
    op.create_index("ix_audit_entry_entity_id", "audit_entry", ["entity_id"])
    _forbid_audit_changes()


def _forbid_audit_changes() -> None:
    # The rule lives in the database so that no code path, ORM or raw SQL, can rewrite history.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    for table in ("audit_entry", "payment", "invoice", "contract", "customer"):
        op.drop_table(table)

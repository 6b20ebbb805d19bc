"""Ledger tables: customers, contracts, invoices, payments and the append-only audit log; then
the payment flow's charges issued, notices received, ERP actions and the outbox; then what the
agent's tools record: agreements and their installments, promises to pay, payment reports,
trust unblocks and disputes."""

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from quita.sqltypes import Money, UTCDateTime


def utc_now() -> datetime:
    return datetime.now(UTC)


class DocumentKind(StrEnum):
    CPF = "cpf"
    CNPJ = "cnpj"


class Segment(StrEnum):
    """Debtor profiles the cadence tunes its tone and pace to."""

    LOYAL = "loyal"
    DISORGANIZED = "disorganized"
    CASH_FLOW_TROUBLE = "cash_flow_trouble"
    CHRONIC = "chronic"
    NEW_CUSTOMER = "new_customer"


class ContractStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    RESCINDED = "rescinded"


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    CANCELLED = "cancelled"
    # Replaced by an agreement: no longer dunned nor payable; its installments are.
    RENEGOTIATED = "renegotiated"


def _fk(target: str, *, nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(Integer, ForeignKey(target), nullable=nullable, index=True),
    )


def _created() -> Any:
    return Field(default_factory=utc_now, sa_type=UTCDateTime, nullable=False)


class Customer(SQLModel, table=True):
    """A subscriber of the ISP. `document` holds the CPF/CNPJ without punctuation."""

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(sa_type=String(64), unique=True, index=True)
    name: str = Field(sa_type=String(200))
    document: str = Field(sa_type=String(14), index=True)
    document_kind: str = Field(sa_type=String(4))
    phone: str = Field(sa_type=String(20), index=True)
    email: str | None = Field(default=None, sa_type=String(254))
    state: str = Field(sa_type=String(2))
    segment: str | None = Field(default=None, sa_type=String(32))
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Contract(SQLModel, table=True):
    """A service the customer subscribes to, with its plan and life-cycle dates."""

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, sa_type=String(64), unique=True)
    customer_id: int = _fk("customer.id")
    plan: str = Field(sa_type=String(120))
    monthly_fee: Decimal = Field(sa_type=Money)
    status: str = Field(default=ContractStatus.ACTIVE, sa_type=String(16))
    activated_on: date
    suspended_on: date | None = None
    rescinded_on: date | None = None
    created_at: datetime = _created()


class Invoice(SQLModel, table=True):
    """A monthly bill. `amount` is the principal in reais; charges are computed, not stored."""

    __table_args__ = (Index("ix_invoice_status_due_date", "status", "due_date"),)

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(sa_type=String(64), unique=True, index=True)
    customer_id: int = _fk("customer.id")
    contract_id: int | None = _fk("contract.id", nullable=True)
    amount: Decimal = Field(sa_type=Money)
    due_date: date
    reference_month: str = Field(sa_type=String(7))
    status: str = Field(default=InvoiceStatus.OPEN, sa_type=String(16))
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Payment(SQLModel, table=True):
    """Money received. `source_ref` (a Pix endToEndId, a bank line) settles at most once."""

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int | None = _fk("invoice.id", nullable=True)
    customer_id: int | None = _fk("customer.id", nullable=True)
    amount: Decimal = Field(sa_type=Money)
    paid_at: datetime = Field(sa_type=UTCDateTime)
    method: str = Field(sa_type=String(16))
    source_ref: str | None = Field(default=None, sa_type=String(128), unique=True)
    created_at: datetime = _created()
    installment_id: int | None = _fk("agreement_installment.id", nullable=True)


class AuditEntry(SQLModel, table=True):
    """One money-affecting change. The database refuses updates and deletes of these rows."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _created()
    actor: str = Field(sa_type=String(64))
    action: str = Field(sa_type=String(64), index=True)
    entity: str = Field(sa_type=String(32))
    entity_id: int = Field(index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ChargeKind(StrEnum):
    PIX = "pix"
    BOLETO = "boleto"


class NoticeStatus(StrEnum):
    """What settlement made of a payment notice; all but "settled" await staff review."""

    SETTLED = "settled"
    UNDERPAID = "underpaid"
    OVERPAID = "overpaid"
    UNMATCHED = "unmatched"


class ErpActionStatus(StrEnum):
    REQUESTED = "requested"
    DONE = "done"
    FAILED = "failed"


class OutboxStatus(StrEnum):
    """pending → sending (leased by a sender) → sent → delivered → read; or failed."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class OutboxKind(StrEnum):
    TEXT = "text"
    BUTTONS = "buttons"
    LIST = "list"
    TEMPLATE = "template"
    IMAGE = "image"
    DOCUMENT = "document"


class PaymentCharge(SQLModel, table=True):
    """An instrument Quita issued for an invoice or an agreement installment (exactly one of
    `invoice_id` and `installment_id` is set): a Pix charge or a second-copy boleto.

    `reference` is what a payment notice quotes back (the Pix txid, the boleto's 44-digit
    barcode); `payload` is what the debtor uses (Pix copy-paste code, digitable line);
    `due_date` is the boleto's due date, or the last day a Pix charge's amount is right.
    """

    __tablename__ = "payment_charge"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(8))
    reference: str = Field(sa_type=String(64), unique=True)
    invoice_id: int | None = _fk("invoice.id", nullable=True)
    amount: Decimal = Field(sa_type=Money)
    payload: str = Field(sa_type=Text)
    due_date: date
    created_at: datetime = _created()
    installment_id: int | None = _fk("agreement_installment.id", nullable=True)


class PaymentNotice(SQLModel, table=True):
    """Every payment notice received, whatever became of it; `source_ref` settles at most once."""

    __tablename__ = "payment_notice"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(sa_type=String(16))
    source_ref: str = Field(sa_type=String(128), unique=True)
    reference: str | None = Field(default=None, sa_type=String(64), index=True)
    amount: Decimal = Field(sa_type=Money)
    paid_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(sa_type=String(16), index=True)
    invoice_id: int | None = _fk("invoice.id", nullable=True)
    charge_id: int | None = _fk("payment_charge.id", nullable=True)
    payment_id: int | None = _fk("payment.id", nullable=True)
    note: str | None = Field(default=None, sa_type=Text)
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _created()
    installment_id: int | None = _fk("agreement_installment.id", nullable=True)


class ErpAction(SQLModel, table=True):
    """An action requested of the ISP's ERP (restore now; notice, suspend, rescind, list later)."""

    __tablename__ = "erp_action"
    __table_args__ = (Index("ix_erp_action_status_requested_at", "status", "requested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = _fk("contract.id")
    action: str = Field(sa_type=String(16))
    reason: str = Field(sa_type=String(200))
    status: str = Field(default=ErpActionStatus.REQUESTED, sa_type=String(16))
    requested_at: datetime = Field(sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class OutboxMessage(SQLModel, table=True):
    """A message for a WhatsApp user, written in the transaction that produced it and drained
    by the sender; `idempotency_key` queues it at most once.

    `body` is the text (or a template's or media's caption); `payload` holds what the kind
    needs besides (buttons, list rows, template name and parameters, media). `wamid` is the id
    the Graph API gave it, which delivery statuses quote back. A message is leased for sending
    until `locked_until`, so a sender that dies mid-send leaves it to another.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_status_created_at", "status", "created_at"),
        # The sender finds each recipient's oldest unfinished message.
        Index("ix_outbox_message_to_status", "to", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int | None = _fk("customer.id", nullable=True)
    to: str = Field(sa_type=String(20))
    purpose: str = Field(sa_type=String(32))
    kind: str = Field(default=OutboxKind.TEXT, sa_type=String(16))
    body: str = Field(sa_type=Text)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    idempotency_key: str = Field(sa_type=String(255), unique=True)
    status: str = Field(default=OutboxStatus.PENDING, sa_type=String(16))
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    wamid: str | None = Field(default=None, sa_type=String(128), index=True)
    error_code: str | None = Field(default=None, sa_type=String(16))
    error_detail: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _created()
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AgreementStatus(StrEnum):
    ACTIVE = "active"
    PAID = "paid"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class InstallmentStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"


class PromiseStatus(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"


class PaymentReportStatus(StrEnum):
    """pending (waiting for the payment to clear) → confirmed, or unconfirmed when the
    clearing period ran out without it."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNCONFIRMED = "unconfirmed"


class DisputeStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


def _idempotency_key() -> Any:
    return Field(sa_type=String(255), unique=True)


class Agreement(SQLModel, table=True):
    """A renegotiation the debtor accepted: it replaces invoices by installments.

    `terms` is the accepted offer as policies.offers.Offer.to_json gives it; the money
    columns repeat its figures for queries. `idempotency_key` (the accepting message's wamid,
    or the caller's key) makes accepting twice create one agreement.
    """

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = _fk("customer.id")
    status: str = Field(default=AgreementStatus.ACTIVE, sa_type=String(16))
    offer_id: str = Field(sa_type=String(32))
    terms: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    original_total: Decimal = Field(sa_type=Money)
    discount_interest: Decimal = Field(sa_type=Money)
    discount_late_fee: Decimal = Field(sa_type=Money)
    discount_principal: Decimal = Field(sa_type=Money)
    total: Decimal = Field(sa_type=Money)
    idempotency_key: str = _idempotency_key()
    created_at: datetime = _created()
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AgreementInstallment(SQLModel, table=True):
    """Payment `number` (1 first) of an agreement; settled once like an invoice."""

    __tablename__ = "agreement_installment"
    __table_args__ = (
        UniqueConstraint("agreement_id", "number", name="uq_agreement_installment_number"),
        Index("ix_agreement_installment_status_due_date", "status", "due_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = _fk("agreement.id")
    number: int
    due_date: date
    amount: Decimal = Field(sa_type=Money)
    status: str = Field(default=InstallmentStatus.OPEN, sa_type=String(16))
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AgreementInvoice(SQLModel, table=True):
    """An invoice an agreement replaced, with what it was worth that day (`amount`, reais)."""

    __tablename__ = "agreement_invoice"
    __table_args__ = (
        UniqueConstraint("agreement_id", "invoice_id", name="uq_agreement_invoice_pair"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = _fk("agreement.id")
    invoice_id: int = _fk("invoice.id")
    amount: Decimal = Field(sa_type=Money)


class PaymentPromise(SQLModel, table=True):
    """A debtor's promise to pay by `promised_date` (São Paulo date); reminders wait for it
    until `pause_until` (inclusive), after which an unpaid promise is broken."""

    __tablename__ = "payment_promise"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = _fk("customer.id")
    promised_date: date
    pause_until: date
    amount: Decimal = Field(sa_type=Money)
    status: str = Field(default=PromiseStatus.PENDING, sa_type=String(16))
    idempotency_key: str = _idempotency_key()
    created_at: datetime = _created()
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PaymentReport(SQLModel, table=True):
    """A debtor's "já paguei" that the ledger could not confirm yet; reminders wait until
    `pause_until`. `receipt_media_id` is the inbound_media row of the receipt they sent."""

    __tablename__ = "payment_report"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = _fk("customer.id")
    reported_at: datetime = Field(sa_type=UTCDateTime)
    method: str = Field(sa_type=String(16))
    pause_until: date
    receipt_media_id: int | None = None
    status: str = Field(default=PaymentReportStatus.PENDING, sa_type=String(16))
    idempotency_key: str = _idempotency_key()
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TrustUnblock(SQLModel, table=True):
    """A suspended contract restored on trust until `until` (São Paulo date, inclusive)."""

    __tablename__ = "trust_unblock"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = _fk("contract.id")
    customer_id: int = _fk("customer.id")
    granted_at: datetime = Field(sa_type=UTCDateTime)
    until: date
    erp_action_id: int | None = _fk("erp_action.id", nullable=True)
    idempotency_key: str = _idempotency_key()


class Dispute(SQLModel, table=True):
    """A contested bill (or account, when `invoice_id` is None): collection and the Anatel
    clocks pause while it is open; the ISP answers by `answer_due`."""

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = _fk("customer.id")
    invoice_id: int | None = _fk("invoice.id", nullable=True)
    reason: str = Field(sa_type=Text)
    status: str = Field(default=DisputeStatus.OPEN, sa_type=String(16))
    opened_at: datetime = Field(sa_type=UTCDateTime)
    answer_due: date
    answer: str | None = Field(default=None, sa_type=Text)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    idempotency_key: str = _idempotency_key()

"""Settlement: a payment notice becomes, at most once, a payment on the ledger with its effects
(invoice paid, audit, the debtor's confirmation, a suspended service restored)."""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlmodel import Session, col, select

from billing.audit import audit_row, record
from billing.claims import insert_once
from billing.confirmations import Confirmation, PaymentFit, confirmation_text
from billing.erp import EmbeddedErp, ErpActionResult, ErpActions
from billing.errors import InvalidValue
from billing.matching import Assessment, Match, assess, match_notice
from billing.models import (
    Contract,
    ContractStatus,
    Customer,
    Invoice,
    InvoiceStatus,
    NoticeStatus,
    Payment,
    PaymentCharge,
    PaymentNotice,
    utc_now,
)
from billing.money import format_brl, format_json
from billing.notices import IncomingPayment, NoticeSource
from billing.outbox import queue_message
from quita.policy import Policy

logger = logging.getLogger(__name__)

DUPLICATE: Final = "duplicate"
CONFIRMATION_PURPOSE: Final = "payment_confirmation"
_METHODS = {NoticeSource.PIX_WEBHOOK: "pix", NoticeSource.BANK_RETURN: "boleto"}
_MAX_REFERENCE = 64


@dataclass(frozen=True)
class SettlementResult:
    """`status` is a NoticeStatus value, or "duplicate" for a notice seen before."""

    status: str
    source_ref: str
    notice_id: int | None = None
    invoice_id: int | None = None
    payment_id: int | None = None
    message_id: int | None = None
    restore: ErpActionResult | None = None


def settle(
    session: Session,
    notice: IncomingPayment,
    policy: Policy,
    today: date,
    *,
    erp: ErpActions | None = None,
    now: datetime | None = None,
) -> SettlementResult:
    """Store `notice` and, the first time its `source_ref` is seen, settle what it pays.

    Everything happens in the caller's transaction. The `payment_notice` row is the first
    write, under its unique `source_ref`: a notice seen before, or being settled by a concurrent
    transaction (this one waits for it), returns "duplicate" and changes nothing. The
    reference is matched to a `payment_charge`, or else read as one of our txids or boleto
    free fields; an unmatched notice is kept for staff review. A matched one becomes a
    payment compared with what was due: equal or more pays the invoice ("settled",
    "overpaid"), less keeps it open ("underpaid"); a payment of a paid or cancelled invoice
    is "overpaid" and reopens nothing. Paying an invoice also stops its dunning, because the
    cadence plans open invoices only. A confirmation is queued for the debtor, and a
    suspended contract left with no overdue open invoice is restored through `erp`
    (embedded by default). `today` is the São Paulo date; `now`, when the payment became
    known (the restore deadline runs from it). Raises InvalidValue for a bad amount or
    reference.
    """
    _check(notice)
    run = _Run(session, notice, policy, today, erp or EmbeddedErp(), now or utc_now())
    return run.settle()


class _Run:
    """One settlement; holds what every step needs so the steps stay short."""

    def __init__(
        self,
        session: Session,
        notice: IncomingPayment,
        policy: Policy,
        today: date,
        erp: ErpActions,
        known_at: datetime,
    ) -> None:
        self.session, self.notice, self.policy = session, notice, policy
        self.today, self.erp, self.known_at = today, erp, known_at
        self.actor = f"settlement.{notice.source}"
        self.log: dict[str, Any] = {"source_ref": notice.source_ref}

    def settle(self) -> SettlementResult:
        if self._recorded_elsewhere():
            return self._duplicate()
        match = match_notice(self.session, self.notice)
        assessment = assess(self.session, self.notice, match, self.policy)
        row = self._notice_row(match, assessment)
        notice_id = insert_once(self.session, row, "source_ref")
        if notice_id is None:
            return self._duplicate()

        self.log |= {"notice_id": notice_id, "status": str(assessment.status)}
        self._audit("payment_notice.received", "payment_notice", notice_id, self._facts(assessment))
        if match.invoice is None:
            logger.warning("payment notice unmatched, kept for review", extra=self.log)
            return SettlementResult(assessment.status, self.notice.source_ref, notice_id)
        return self._apply(notice_id, match.charge, match.invoice, assessment)

    def _apply(
        self,
        notice_id: int,
        charge: PaymentCharge | None,
        invoice: Invoice,
        assessment: Assessment,
    ) -> SettlementResult:
        invoice_id = _id(invoice)
        payment_id = self._record_payment(notice_id, charge, invoice)
        if assessment.fit in (PaymentFit.EXACT, PaymentFit.EXCESS):
            self._close(invoice, payment_id)
        restore = self._restore_if_cleared(invoice, payment_id)
        message_id = self._confirm(invoice, assessment, restore)

        self.log |= {"invoice_id": invoice_id, "payment_id": payment_id}
        level = logging.INFO if assessment.status == NoticeStatus.SETTLED else logging.WARNING
        logger.log(
            level, "payment notice %s: %s", assessment.status, assessment.note, extra=self.log
        )
        return SettlementResult(
            assessment.status,
            self.notice.source_ref,
            notice_id,
            invoice_id,
            payment_id,
            message_id,
            restore,
        )

    def _duplicate(self) -> SettlementResult:
        logger.info("payment notice is a duplicate, ignored", extra=self.log)
        return SettlementResult(DUPLICATE, self.notice.source_ref)

    def _recorded_elsewhere(self) -> bool:
        # An import or the demo may have recorded this payment without a notice.
        query = select(Payment.id).where(Payment.source_ref == self.notice.source_ref)
        return self.session.exec(query).first() is not None

    def _notice_row(self, match: Match, assessment: Assessment) -> PaymentNotice:
        notice, charge, invoice = self.notice, match.charge, match.invoice
        return PaymentNotice(
            source=notice.source,
            source_ref=notice.source_ref,
            reference=notice.reference,
            amount=notice.amount,
            paid_at=notice.paid_at,
            status=assessment.status,
            invoice_id=None if invoice is None else invoice.id,
            charge_id=None if charge is None else charge.id,
            note=assessment.note,
            raw=notice.raw,
            created_at=self.known_at,
        )

    def _record_payment(
        self, notice_id: int, charge: PaymentCharge | None, invoice: Invoice
    ) -> int:
        method = charge.kind if charge else _METHODS.get(self.notice.source, "other")
        payment = Payment(
            invoice_id=invoice.id,
            customer_id=invoice.customer_id,
            amount=self.notice.amount,
            paid_at=self.notice.paid_at,
            method=method,
            source_ref=self.notice.source_ref,
            created_at=self.known_at,
        )
        self.session.add(payment)
        self.session.flush()
        payment_id = _id(payment)
        stored = self.session.get(PaymentNotice, notice_id)
        if stored is not None:
            stored.payment_id = payment_id
        details = {
            "invoice": invoice.external_id,
            "amount": format_json(self.notice.amount),
            "method": method,
            "source_ref": self.notice.source_ref,
        }
        self._audit("payment.recorded", "payment", payment_id, details)
        return payment_id

    def _close(self, invoice: Invoice, payment_id: int) -> None:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = self.notice.paid_at
        invoice.updated_at = self.known_at
        self.session.add(invoice)
        details = {"status": {"from": "open", "to": "paid"}, "payment_id": payment_id}
        self._audit("invoice.paid", "invoice", _id(invoice), details)

    def _restore_if_cleared(self, invoice: Invoice, payment_id: int) -> ErpActionResult | None:
        if invoice.contract_id is None:
            return None
        contract = self.session.get(
            Contract, invoice.contract_id, with_for_update=True, populate_existing=True
        )
        if contract is None or contract.status != ContractStatus.SUSPENDED:
            return None
        if self._has_overdue_open_invoice(invoice.contract_id):
            logger.info("contract stays suspended: another invoice is overdue", extra=self.log)
            return None
        return self.erp.restore(
            self.session,
            contract,
            reason=f"payment {self.notice.source_ref} cleared the overdue invoices",
            requested_at=self.known_at,
            details={"invoice_id": invoice.id, "payment_id": payment_id},
        )

    def _has_overdue_open_invoice(self, contract_id: int) -> bool:
        query = select(col(Invoice.due_date)).where(
            Invoice.contract_id == contract_id, Invoice.status == InvoiceStatus.OPEN
        )
        calendar = self.policy.calendar
        return any(
            calendar.next_business_day_on_or_after(due) < self.today
            for due in self.session.exec(query)
        )

    def _confirm(
        self, invoice: Invoice, assessment: Assessment, restore: ErpActionResult | None
    ) -> int | None:
        customer = self.session.get(Customer, invoice.customer_id)
        if customer is None or assessment.fit is None:
            return None
        difference = assessment.difference
        facts = Confirmation(
            customer_name=customer.name,
            is_company=customer.document_kind == "cnpj",
            amount=format_brl(self.notice.amount),
            reference_month=invoice.reference_month,
            fit=assessment.fit,
            difference=None if difference is None else format_brl(difference),
            restore=None if restore is None else restore.status,
        )
        return queue_message(
            self.session,
            customer_id=invoice.customer_id,
            to=customer.phone,
            purpose=CONFIRMATION_PURPOSE,
            body=confirmation_text(facts, self.policy.isp),
            idempotency_key=f"{CONFIRMATION_PURPOSE}:{self.notice.source}:{self.notice.source_ref}",
        )

    def _facts(self, assessment: Assessment) -> dict[str, Any]:
        return {
            "source": str(self.notice.source),
            "source_ref": self.notice.source_ref,
            "reference": self.notice.reference,
            "amount": format_json(self.notice.amount),
            "status": str(assessment.status),
            "note": assessment.note,
        }

    def _audit(self, action: str, entity: str, entity_id: int, details: dict[str, Any]) -> None:
        record(self.session, [audit_row(self.actor, action, entity, entity_id, details)])


def _check(notice: IncomingPayment) -> None:
    if not isinstance(notice.amount, Decimal) or not notice.amount > 0:
        raise InvalidValue(f"payment notice {notice.source_ref}: amount must be positive")
    if notice.reference is not None and len(notice.reference) > _MAX_REFERENCE:
        raise InvalidValue(
            f"payment notice {notice.source_ref}: reference longer than {_MAX_REFERENCE}"
        )


def _id(row: Invoice | Payment) -> int:
    if row.id is None:
        raise RuntimeError(f"a stored {type(row).__name__} has no id")
    return row.id

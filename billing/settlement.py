"""Settlement: a payment notice becomes, at most once, a payment on the ledger with its effects
(invoice or agreement installment paid, audit, the debtor's confirmation, a suspended service
restored)."""

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
from billing.installments import (
    InstallmentConfirmation,
    close_installment,
    contract_ids_of,
    has_overdue_installment,
    installment_confirmation_text,
    installment_count,
    next_open_due,
)
from billing.matching import Assessment, Match, assess, match_notice
from billing.models import (
    Agreement,
    AgreementInstallment,
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
    installment_id: int | None = None


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
    free fields; an unmatched notice is kept for staff review. A notice matching an agreement
    installment settles it the same way (see `_Run._apply_installment`). A matched one becomes a
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
        if match.installment is not None:
            return self._apply_installment(notice_id, match.charge, match.installment, assessment)
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
        restore = None
        if assessment.fit is not None and invoice.contract_id is not None:
            details = {"invoice_id": invoice.id, "payment_id": payment_id}
            restore = self._restore_if_cleared(invoice.contract_id, details)
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

    def _apply_installment(
        self,
        notice_id: int,
        charge: PaymentCharge | None,
        installment: AgreementInstallment,
        assessment: Assessment,
    ) -> SettlementResult:
        """Record the payment against the installment; a payment covering it closes it (and
        the agreement with its last one) and may restore the agreement's contracts."""
        agreement = self.session.get(Agreement, installment.agreement_id)
        customer_id = None if agreement is None else agreement.customer_id
        payment_id = self._record_payment(notice_id, charge, installment, customer_id)
        agreement_paid, restore = False, None
        if assessment.fit in (PaymentFit.EXACT, PaymentFit.EXCESS):
            agreement_paid = close_installment(
                self.session,
                installment,
                paid_at=self.notice.paid_at,
                payment_id=payment_id,
                actor=self.actor,
                now=self.known_at,
            )
            details = {"installment_id": installment.id, "payment_id": payment_id}
            for contract_id in contract_ids_of(self.session, installment.agreement_id):
                restore = self._restore_if_cleared(contract_id, details) or restore
        message_id = self._confirm_installment(
            installment, customer_id, assessment, agreement_paid, restore
        )
        self.log |= {"installment_id": installment.id, "payment_id": payment_id}
        level = logging.INFO if assessment.status == NoticeStatus.SETTLED else logging.WARNING
        logger.log(
            level, "installment payment %s: %s", assessment.status, assessment.note, extra=self.log
        )
        return SettlementResult(
            assessment.status,
            self.notice.source_ref,
            notice_id,
            None,
            payment_id,
            message_id,
            restore,
            installment.id,
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
        installment = match.installment
        return PaymentNotice(
            source=notice.source,
            source_ref=notice.source_ref,
            reference=notice.reference,
            amount=notice.amount,
            paid_at=notice.paid_at,
            status=assessment.status,
            invoice_id=None if invoice is None else invoice.id,
            installment_id=None if installment is None else installment.id,
            charge_id=None if charge is None else charge.id,
            note=assessment.note,
            raw=notice.raw,
            created_at=self.known_at,
        )

    def _record_payment(
        self,
        notice_id: int,
        charge: PaymentCharge | None,
        target: Invoice | AgreementInstallment,
        customer_id: int | None = None,
    ) -> int:
        method = charge.kind if charge else _METHODS.get(self.notice.source, "other")
        is_invoice = isinstance(target, Invoice)
        payment = Payment(
            invoice_id=target.id if is_invoice else None,
            installment_id=None if is_invoice else target.id,
            customer_id=target.customer_id if isinstance(target, Invoice) else customer_id,
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
        paid_for: dict[str, Any] = (
            {"invoice": target.external_id}
            if isinstance(target, Invoice)
            else {"installment_id": target.id, "agreement_id": target.agreement_id}
        )
        details = {
            **paid_for,
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

    def _restore_if_cleared(
        self, contract_id: int, details: dict[str, Any]
    ) -> ErpActionResult | None:
        contract = self.session.get(
            Contract, contract_id, with_for_update=True, populate_existing=True
        )
        if contract is None or contract.status != ContractStatus.SUSPENDED:
            return None
        if self._has_overdue_open_invoice(contract_id) or has_overdue_installment(
            self.session, contract_id, self.today
        ):
            logger.info("contract stays suspended: something else is overdue", extra=self.log)
            return None
        return self.erp.restore(
            self.session,
            contract,
            reason=f"payment {self.notice.source_ref} cleared the overdue invoices",
            requested_at=self.known_at,
            details=details,
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

    def _confirm_installment(
        self,
        installment: AgreementInstallment,
        customer_id: int | None,
        assessment: Assessment,
        agreement_paid: bool,
        restore: ErpActionResult | None,
    ) -> int | None:
        customer = None if customer_id is None else self.session.get(Customer, customer_id)
        if customer is None or assessment.fit is None:
            return None
        difference = assessment.difference
        facts = InstallmentConfirmation(
            customer_name=customer.name,
            is_company=customer.document_kind == "cnpj",
            amount=format_brl(self.notice.amount),
            number=installment.number,
            count=installment_count(self.session, installment.agreement_id),
            fit=assessment.fit,
            difference=None if difference is None else format_brl(difference),
            next_due=next_open_due(self.session, installment.agreement_id),
            agreement_paid=agreement_paid,
            restore=None if restore is None else restore.status,
        )
        return queue_message(
            self.session,
            customer_id=customer.id,
            to=customer.phone,
            purpose=CONFIRMATION_PURPOSE,
            body=installment_confirmation_text(facts, self.policy.isp),
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

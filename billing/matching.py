"""Matching a payment notice to what it pays, and judging its amount against what was due."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from billing.confirmations import PaymentFit
from billing.installments import is_collectable, paid_on_installment
from billing.instruments import (
    charge_reference,
    installment_for_reference,
    invoice_for_reference,
    outstanding,
)
from billing.models import (
    Agreement,
    AgreementInstallment,
    InstallmentStatus,
    Invoice,
    InvoiceStatus,
    NoticeStatus,
    Payment,
    PaymentCharge,
    PaymentNotice,
)
from billing.money import format_json
from billing.notices import IncomingPayment
from quita.clock import BUSINESS_TZ
from quita.policy import Policy


@dataclass(frozen=True)
class Match:
    """The charge a notice quotes, if Quita issued it, and the invoice or agreement
    installment it pays, if any (never both)."""

    charge: PaymentCharge | None
    invoice: Invoice | None
    installment: AgreementInstallment | None = None


@dataclass(frozen=True)
class Assessment:
    """The notice's status, a note for staff (English), and, for a matched notice, how the
    amount fits and by how much it differs from what was due (reais)."""

    status: NoticeStatus
    note: str
    fit: PaymentFit | None = None
    difference: Decimal | None = None


def match_notice(session: Session, notice: IncomingPayment) -> Match:
    """Find the `payment_charge` whose reference the notice quotes, or else read the reference
    as one of our txids or boleto free fields, or else as an invoice's external id.

    A charge of an agreement installment, or a reference in an installment's own layout,
    matches the installment instead. The invoice or installment is locked (SELECT ... FOR
    UPDATE on PostgreSQL) and read fresh, so payments of one are judged one after the other
    and a second payer is seen as such.
    """
    if not notice.reference:
        return Match(None, None)
    reference = charge_reference(notice.reference)
    query = select(PaymentCharge).where(PaymentCharge.reference == reference)
    charge = session.exec(query).first()
    installment_id = charge.installment_id if charge else installment_for_reference(reference)
    if installment_id is not None:
        installment = session.get(
            AgreementInstallment, installment_id, with_for_update=True, populate_existing=True
        )
        return Match(charge, None, installment)
    invoice_id = charge.invoice_id if charge else invoice_for_reference(reference)
    if invoice_id is None:
        invoice_id = _invoice_by_external_id(session, notice)
    if invoice_id is None:
        return Match(charge, None)
    invoice = session.get(Invoice, invoice_id, with_for_update=True, populate_existing=True)
    return Match(charge, invoice)


def _invoice_by_external_id(session: Session, notice: IncomingPayment) -> int | None:
    # Bank files and spreadsheets quote the ISP's own invoice number: as the reference, or in
    # a CNAB "seu número" when the bank's "nosso número" is not one of ours.
    quoted = (notice.reference, notice.raw.get("seu_numero"))
    candidates = sorted({str(value).strip() for value in quoted if value} - {""})
    if not candidates:
        return None
    query = select(Invoice.id).where(col(Invoice.external_id).in_(candidates))
    return session.exec(query).first()


def assess(session: Session, notice: IncomingPayment, match: Match, policy: Policy) -> Assessment:
    """Judge the notice: unmatched; overpaid when the invoice is not open; otherwise settled,
    overpaid or underpaid by comparing the amount with what was due."""
    if match.installment is not None:
        return _assess_installment(session, notice, match.charge, match.installment)
    invoice = match.invoice
    if invoice is None:
        what = f"reference {notice.reference!r}" if notice.reference else "no reference"
        return Assessment(NoticeStatus.UNMATCHED, f"no charge or invoice matches {what}")
    if invoice.status == InvoiceStatus.PAID:
        note = f"invoice {invoice.external_id} was already paid"
        return Assessment(NoticeStatus.OVERPAID, note, PaymentFit.ALREADY_PAID)
    if invoice.status == InvoiceStatus.RENEGOTIATED:
        # The debtor paid an instrument issued before the agreement: staff decide where the
        # money goes, so no confirmation that could contradict the agreement is sent.
        note = f"invoice {invoice.external_id} was renegotiated; for staff to apply"
        return Assessment(NoticeStatus.OVERPAID, note)
    if invoice.status != InvoiceStatus.OPEN:
        note = f"invoice {invoice.external_id} is {invoice.status}"
        return Assessment(NoticeStatus.OVERPAID, note, PaymentFit.CANCELLED)
    return _compare(notice.amount, _expected(session, notice, match.charge, invoice, policy))


def _expected(
    session: Session,
    notice: IncomingPayment,
    charge: PaymentCharge | None,
    invoice: Invoice,
    policy: Policy,
) -> Decimal:
    """The charge's amount less what was paid against it; without a charge, what was due on
    the day of payment (São Paulo date) less what was paid."""
    if charge is None or charge.invoice_id != invoice.id:
        paid_on = notice.paid_at.astimezone(BUSINESS_TZ).date()
        return outstanding(session, invoice, paid_on, policy)
    return charge.amount - _paid_through(session, charge)


def _assess_installment(
    session: Session,
    notice: IncomingPayment,
    charge: PaymentCharge | None,
    installment: AgreementInstallment,
) -> Assessment:
    what = f"installment {installment.number} of agreement {installment.agreement_id}"
    if installment.status == InstallmentStatus.PAID:
        return Assessment(
            NoticeStatus.OVERPAID, f"{what} was already paid", PaymentFit.ALREADY_PAID
        )
    agreement = session.get(Agreement, installment.agreement_id)
    if not is_collectable(agreement):
        status = "missing" if agreement is None else agreement.status
        note = f"{what} belongs to an agreement that is {status}"
        return Assessment(NoticeStatus.OVERPAID, note, PaymentFit.CANCELLED)
    if charge is None or charge.installment_id != installment.id:
        expected = installment.amount - paid_on_installment(session, installment.id or 0)
        return _compare(notice.amount, expected)
    return _compare(notice.amount, charge.amount - _paid_through(session, charge))


def _paid_through(session: Session, charge: PaymentCharge) -> Decimal:
    query = (
        select(func.sum(Payment.amount))
        .join(PaymentNotice, col(PaymentNotice.payment_id) == Payment.id)
        .where(PaymentNotice.charge_id == charge.id)
    )
    paid = session.exec(query).one()
    return paid or Decimal("0.00")


def _compare(amount: Decimal, expected: Decimal) -> Assessment:
    paid = f"paid {format_json(amount)}"
    if amount == expected:
        return Assessment(NoticeStatus.SETTLED, f"{paid}, as due", PaymentFit.EXACT)
    if amount > expected:
        excess = amount - expected
        note = f"{paid}, {format_json(excess)} more than the {format_json(expected)} due"
        return Assessment(NoticeStatus.OVERPAID, note, PaymentFit.EXCESS, excess)
    missing = expected - amount
    note = f"{paid} of {format_json(expected)} due; {format_json(missing)} missing"
    return Assessment(NoticeStatus.UNDERPAID, note, PaymentFit.SHORT, missing)

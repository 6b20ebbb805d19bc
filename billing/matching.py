"""Matching a payment notice to what it pays, and judging its amount against what was due."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from billing.confirmations import PaymentFit
from billing.instruments import charge_reference, invoice_for_reference, outstanding
from billing.models import (
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
    """The charge a notice quotes, if Quita issued it, and the invoice it pays, if any."""

    charge: PaymentCharge | None
    invoice: Invoice | None


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

    The invoice is locked (SELECT ... FOR UPDATE on PostgreSQL) and read fresh, so payments of
    one invoice are judged one after the other and a second payer is seen as such.
    """
    if not notice.reference:
        return Match(None, None)
    reference = charge_reference(notice.reference)
    query = select(PaymentCharge).where(PaymentCharge.reference == reference)
    charge = session.exec(query).first()
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
    invoice = match.invoice
    if invoice is None:
        what = f"reference {notice.reference!r}" if notice.reference else "no reference"
        return Assessment(NoticeStatus.UNMATCHED, f"no charge or invoice matches {what}")
    if invoice.status == InvoiceStatus.PAID:
        note = f"invoice {invoice.external_id} was already paid"
        return Assessment(NoticeStatus.OVERPAID, note, PaymentFit.ALREADY_PAID)
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
    query = (
        select(func.sum(Payment.amount))
        .join(PaymentNotice, col(PaymentNotice.payment_id) == Payment.id)
        .where(PaymentNotice.charge_id == charge.id)
    )
    paid = session.exec(query).one()
    return charge.amount - (paid or Decimal("0.00"))


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

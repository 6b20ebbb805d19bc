"""Whether reminders to a customer are paused today, and why: an open dispute, a payment
report waiting to clear, a promise to pay, or an agreement being kept."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlmodel import Session

from billing.agreements import active_agreement
from billing.disputes import open_disputes
from billing.installments import installments_of
from billing.models import InstallmentStatus
from billing.payment_reports import pending_report
from billing.promises import pending_promise


class PauseReason(StrEnum):
    """In the order `active_pause` prefers them."""

    DISPUTE = "dispute"
    PAYMENT_REPORT = "payment_report"
    PROMISE = "promise"
    AGREEMENT = "agreement"


@dataclass(frozen=True)
class Pause:
    """A reason not to send reminders: `until` is the last paused day (inclusive), None while
    the cause lasts (an open dispute); `record_id` is the dispute, report, promise or
    agreement row; `invoice_id` the disputed invoice, when the dispute names one."""

    reason: PauseReason
    until: date | None
    record_id: int
    invoice_id: int | None = None


def active_pauses(session: Session, customer_id: int, today: date) -> list[Pause]:
    """Every pause holding on `today` (São Paulo date), in PauseReason order.

    An agreement pauses reminders while none of its installments is overdue, until the next
    installment's due date; the cadence then reminds of that installment instead.
    """
    pauses = [
        Pause(PauseReason.DISPUTE, None, _id(d.id), d.invoice_id)
        for d in open_disputes(session, customer_id)
    ]
    report = pending_report(session, customer_id, today)
    if report is not None:
        pauses.append(Pause(PauseReason.PAYMENT_REPORT, report.pause_until, _id(report.id)))
    promise = pending_promise(session, customer_id, today)
    if promise is not None:
        pauses.append(Pause(PauseReason.PROMISE, promise.pause_until, _id(promise.id)))
    agreement_pause = _agreement_pause(session, customer_id, today)
    if agreement_pause is not None:
        pauses.append(agreement_pause)
    return pauses


def active_pause(session: Session, customer_id: int, today: date) -> Pause | None:
    """The first of `active_pauses`, or None when reminders may go out."""
    pauses = active_pauses(session, customer_id, today)
    return pauses[0] if pauses else None


def _agreement_pause(session: Session, customer_id: int, today: date) -> Pause | None:
    agreement = active_agreement(session, customer_id)
    if agreement is None:
        return None
    unpaid = [
        item
        for item in installments_of(session, _id(agreement.id))
        if item.status == InstallmentStatus.OPEN
    ]
    if not unpaid or any(item.due_date < today for item in unpaid):
        return None
    return Pause(PauseReason.AGREEMENT, min(item.due_date for item in unpaid), _id(agreement.id))


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("a stored row has no id")
    return value

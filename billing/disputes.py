"""Disputes on the ledger: opening one once per message (collection and the Anatel clocks
pause while it is open), answering and closing it, and the intervals the clocks stood still."""

import logging
from datetime import date, datetime

from sqlmodel import Session, col, select

from billing.audit import audit_row, record
from billing.errors import LedgerError
from billing.models import Dispute, DisputeStatus, utc_now
from billing.records import insert_or_get
from policies.disputes import DisputeFacts, Interval
from quita.clock import BUSINESS_TZ

logger = logging.getLogger(__name__)


def dispute_facts(session: Session, customer_id: int, invoice_id: int | None) -> DisputeFacts:
    """The answer deadline of an open dispute already covering `invoice_id` (one on that
    invoice, or one on the whole account), if any."""
    covering = open_disputes(session, customer_id)
    match = next((d for d in covering if d.invoice_id is None or d.invoice_id == invoice_id), None)
    return DisputeFacts(open_dispute_answer_due=None if match is None else match.answer_due)


def open_dispute(
    session: Session,
    customer_id: int,
    reason: str,
    answer_due: date,
    idempotency_key: str,
    *,
    invoice_id: int | None = None,
    actor: str = "agent",
    now: datetime | None = None,
) -> tuple[Dispute, bool]:
    """Record a dispute of `invoice_id` (None: the whole account) once per `idempotency_key`,
    audited as "dispute.opened"; the stored dispute and whether it is new."""
    now = now or utc_now()
    row = Dispute(
        customer_id=customer_id,
        invoice_id=invoice_id,
        reason=reason.strip(),
        status=DisputeStatus.OPEN,
        opened_at=now,
        answer_due=answer_due,
        idempotency_key=idempotency_key,
    )
    dispute, created = insert_or_get(session, row)
    if created:
        details = {"invoice_id": invoice_id, "answer_due": answer_due.isoformat()}
        record(session, [audit_row(actor, "dispute.opened", "dispute", _id(dispute), details, now)])
        logger.info("dispute opened", extra={"customer_id": customer_id, "dispute_id": dispute.id})
    return dispute, created


def open_disputes(session: Session, customer_id: int) -> list[Dispute]:
    """The customer's open disputes, oldest first."""
    return list(
        session.exec(
            select(Dispute)
            .where(Dispute.customer_id == customer_id, Dispute.status == DisputeStatus.OPEN)
            .order_by(col(Dispute.opened_at), col(Dispute.id))
        ).all()
    )


def answer_dispute(
    session: Session, dispute_id: int, answer: str, actor: str, *, now: datetime | None = None
) -> Dispute:
    """Record the ISP's answer; collection and the clocks resume. Raises LedgerError unless
    the dispute is open."""
    return _move(session, dispute_id, DisputeStatus.ANSWERED, actor, now or utc_now(), answer)


def close_dispute(
    session: Session, dispute_id: int, actor: str, *, now: datetime | None = None
) -> Dispute:
    """Close an open or answered dispute. Raises LedgerError when it is closed already."""
    return _move(session, dispute_id, DisputeStatus.CLOSED, actor, now or utc_now(), None)


def dispute_intervals(session: Session, customer_id: int) -> list[Interval]:
    """Every dispute of the customer as (opened, resumed) São Paulo dates, resumed None while
    it is open: what policies.disputes.clock_deadline pushes the Anatel clocks back by."""
    disputes = session.exec(
        select(Dispute).where(Dispute.customer_id == customer_id).order_by(col(Dispute.opened_at))
    ).all()
    return [
        (_local(d.opened_at), None if d.answered_at is None else _local(d.answered_at))
        for d in disputes
    ]


def _move(
    session: Session,
    dispute_id: int,
    status: DisputeStatus,
    actor: str,
    now: datetime,
    answer: str | None,
) -> Dispute:
    dispute = session.get(Dispute, dispute_id, with_for_update=True, populate_existing=True)
    allowed = {DisputeStatus.ANSWERED: {DisputeStatus.OPEN}}.get(
        status, {DisputeStatus.OPEN, DisputeStatus.ANSWERED}
    )
    if dispute is None or dispute.status not in allowed:
        raise LedgerError(f"dispute {dispute_id} cannot become {status}")
    previous = dispute.status
    dispute.status = status
    if answer is not None:
        dispute.answer, dispute.answered_at = answer, now
    if status == DisputeStatus.CLOSED:
        dispute.closed_at = now
        dispute.answered_at = dispute.answered_at or now
    session.add(dispute)
    session.flush()
    details = {"status": {"from": previous, "to": str(status)}}
    record(session, [audit_row(actor, f"dispute.{status}", "dispute", dispute_id, details, now)])
    return dispute


def _local(moment: datetime) -> date:
    return moment.astimezone(BUSINESS_TZ).date()


def _id(row: Dispute) -> int:
    if row.id is None:
        raise RuntimeError("a stored dispute has no id")
    return row.id

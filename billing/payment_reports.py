"""Payment reports ("já paguei") on the ledger: looking for the payment the debtor means,
registering the report once per message, attaching the receipt, and settling it later."""

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from billing.errors import LedgerError
from billing.models import (
    NoticeStatus,
    Payment,
    PaymentNotice,
    PaymentReport,
    PaymentReportStatus,
    utc_now,
)
from billing.records import insert_or_get
from policies.payment_reports import PaymentReportFacts, PaymentReportRules
from quita.clock import start_of_day

logger = logging.getLogger(__name__)


def payment_report_facts(
    session: Session, customer_id: int, today: date, rules: PaymentReportRules
) -> PaymentReportFacts:
    """The pause a pending report still holds on `today`, and the reports that ran out of
    clearing time unconfirmed within the rules' lookback."""
    pending = pending_report(session, customer_id, today)
    since = start_of_day(today - timedelta(rules.lookback_days))
    unconfirmed = session.exec(
        select(func.count())
        .select_from(PaymentReport)
        .where(
            PaymentReport.customer_id == customer_id,
            PaymentReport.status == PaymentReportStatus.UNCONFIRMED,
            col(PaymentReport.reported_at) >= since,
        )
    ).one()
    return PaymentReportFacts(
        pending_until=None if pending is None else pending.pause_until,
        unconfirmed_reports=int(unconfirmed),
    )


def payments_since(session: Session, customer_id: int, since: datetime) -> list[Payment]:
    """The customer's payments made or recorded since `since`, newest first: what a debtor
    saying "já paguei" most likely means."""
    return list(
        session.exec(
            select(Payment)
            .where(
                Payment.customer_id == customer_id,
                or_(col(Payment.paid_at) >= since, col(Payment.created_at) >= since),
            )
            .order_by(col(Payment.paid_at).desc())
        ).all()
    )


def unmatched_notices_for(
    session: Session, amounts: Iterable[Decimal], since: datetime
) -> list[PaymentNotice]:
    """Notices since `since` that matched nothing but carry one of `amounts` (what the debtor
    owes): candidates for staff to check against the receipt, never applied automatically,
    since anyone may have paid the same amount."""
    wanted = sorted(set(amounts))
    if not wanted:
        return []
    return list(
        session.exec(
            select(PaymentNotice).where(
                PaymentNotice.status == NoticeStatus.UNMATCHED,
                col(PaymentNotice.amount).in_(wanted),
                col(PaymentNotice.paid_at) >= since,
            )
        ).all()
    )


def register_payment_report(
    session: Session,
    customer_id: int,
    method: str,
    pause_until: date,
    idempotency_key: str,
    *,
    receipt_media_id: int | None = None,
    reported_at: datetime | None = None,
) -> tuple[PaymentReport, bool]:
    """Record a payment the ledger has not seen, pausing reminders until `pause_until`, once
    per `idempotency_key`; the stored report and whether it is new."""
    row = PaymentReport(
        customer_id=customer_id,
        reported_at=reported_at or utc_now(),
        method=method,
        pause_until=pause_until,
        receipt_media_id=receipt_media_id,
        status=PaymentReportStatus.PENDING,
        idempotency_key=idempotency_key,
    )
    report, created = insert_or_get(session, row)
    if created:
        logger.info(
            "payment report registered",
            extra={"customer_id": customer_id, "payment_report_id": report.id, "method": method},
        )
    return report, created


def attach_receipt(session: Session, report_id: int, media_id: int) -> PaymentReport:
    """Keep `media_id` (an inbound_media row) as the report's receipt; the first one stays.

    Raises LedgerError for an unknown report.
    """
    report = session.get(PaymentReport, report_id, with_for_update=True)
    if report is None:
        raise LedgerError(f"no payment report with id {report_id}")
    if report.receipt_media_id is None:
        report.receipt_media_id = media_id
        session.add(report)
        session.flush()
    return report


def pending_report(session: Session, customer_id: int, today: date) -> PaymentReport | None:
    """The customer's pending report whose pause runs through `today`, if any."""
    return session.exec(
        select(PaymentReport)
        .where(
            PaymentReport.customer_id == customer_id,
            PaymentReport.status == PaymentReportStatus.PENDING,
            col(PaymentReport.pause_until) >= today,
        )
        .order_by(col(PaymentReport.pause_until).desc())
    ).first()


def resolve_payment_reports(
    session: Session, customer_id: int, today: date, *, now: datetime | None = None
) -> list[PaymentReport]:
    """Settle pending reports: confirmed once a payment of the customer was recorded after
    the report, unconfirmed when the pause ran out without one. Returns those that changed."""
    now = now or utc_now()
    changed = []
    pending = session.exec(
        select(PaymentReport).where(
            PaymentReport.customer_id == customer_id,
            PaymentReport.status == PaymentReportStatus.PENDING,
        )
    ).all()
    for report in pending:
        if _payment_after(session, customer_id, report.reported_at):
            report.status = PaymentReportStatus.CONFIRMED
        elif today > report.pause_until:
            report.status = PaymentReportStatus.UNCONFIRMED
        else:
            continue
        report.resolved_at = now
        session.add(report)
        changed.append(report)
    session.flush()
    return changed


def _payment_after(session: Session, customer_id: int, moment: datetime) -> bool:
    query = select(Payment.id).where(
        Payment.customer_id == customer_id, col(Payment.created_at) >= moment
    )
    return session.exec(query).first() is not None

"""When a debtor's cadence pauses (as billing.pauses decides it for one debtor, here for all
at once): an open dispute, a payment report clearing, a pending promise, a staff hold, and an
agreement being kept."""

from datetime import date
from typing import Any

from sqlalchemy import Select, Table, and_, exists, literal, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from billing.models import (
    Agreement,
    AgreementInstallment,
    AgreementStatus,
    Dispute,
    DisputeStatus,
    InstallmentStatus,
    PaymentPromise,
    PaymentReport,
    PaymentReportStatus,
    PromiseStatus,
)
from cadence.models import CadenceHold
from cadence.sqlfn import day

INSTALLMENTS: Table = AgreementInstallment.__table__  # type: ignore[attr-defined]
AGREEMENTS: Table = Agreement.__table__  # type: ignore[attr-defined]
PROMISES: Table = PaymentPromise.__table__  # type: ignore[attr-defined]
REPORTS: Table = PaymentReport.__table__  # type: ignore[attr-defined]
DISPUTES: Table = Dispute.__table__  # type: ignore[attr-defined]
HOLDS: Table = CadenceHold.__table__  # type: ignore[attr-defined]


def paused(customer_id: Any, today: date, *, agreement: bool) -> ColumnElement[bool]:
    """Whether the debtor's reminders pause on `today` (as billing.pauses decides it): an
    open dispute, a payment report clearing, a pending promise, a staff hold, and, with
    `agreement`, an active agreement none of whose installments is overdue."""
    return or_(*_pause_reasons(customer_id, today, agreement=agreement))


def not_paused(customer_id: Any, today: date, *, agreement: bool) -> ColumnElement[bool]:
    """`not paused(...)` as one membership test in the (small) set of paused debtors, which
    databases build once and probe per bill, rather than a lookup per bill and reason."""
    on = day(today)
    members: list[Select[Any]] = [
        select(DISPUTES.c.customer_id).where(DISPUTES.c.status == DisputeStatus.OPEN),
        select(REPORTS.c.customer_id).where(
            REPORTS.c.status == PaymentReportStatus.PENDING, REPORTS.c.pause_until >= on
        ),
        select(PROMISES.c.customer_id).where(
            PROMISES.c.status == PromiseStatus.PENDING, PROMISES.c.pause_until >= on
        ),
        select(HOLDS.c.customer_id).where(
            HOLDS.c.released_at.is_(None), or_(HOLDS.c.until.is_(None), HOLDS.c.until >= on)
        ),
    ]
    if agreement:
        members.append(_agreements_kept(on))
    # NOT EXISTS over the union (an anti-join), never NOT IN: a set too big to hash would
    # turn NOT IN into a scan of the whole set per bill.
    paused_set = union_all(*members).subquery("paused_debtors")
    outside: ColumnElement[bool] = ~exists(
        select(literal(1)).select_from(paused_set).where(paused_set.c.customer_id == customer_id)
    )
    return outside


def _pause_reasons(customer_id: Any, today: date, *, agreement: bool) -> list[Any]:
    on = day(today)
    reasons = [
        exists_in(
            DISPUTES,
            DISPUTES.c.customer_id == customer_id,
            DISPUTES.c.status == DisputeStatus.OPEN,
        ),
        exists_in(
            REPORTS,
            REPORTS.c.customer_id == customer_id,
            REPORTS.c.status == PaymentReportStatus.PENDING,
            REPORTS.c.pause_until >= on,
        ),
        exists_in(
            PROMISES,
            PROMISES.c.customer_id == customer_id,
            PROMISES.c.status == PromiseStatus.PENDING,
            PROMISES.c.pause_until >= on,
        ),
        exists_in(
            HOLDS,
            HOLDS.c.customer_id == customer_id,
            HOLDS.c.released_at.is_(None),
            or_(HOLDS.c.until.is_(None), HOLDS.c.until >= on),
        ),
    ]
    if agreement:
        reasons.append(_agreement_kept(customer_id, on))
    return reasons


def _agreement_kept(customer_id: Any, on: ColumnElement[date]) -> ColumnElement[bool]:
    kept = _agreements_kept(on).subquery("kept_agreements")
    return exists(select(literal(1)).select_from(kept).where(kept.c.customer_id == customer_id))


def _agreements_kept(on: ColumnElement[date]) -> Select[Any]:
    """Debtors with an active agreement that has unpaid installments, none overdue."""
    ai = INSTALLMENTS.c
    unpaid = and_(ai.agreement_id == AGREEMENTS.c.id, ai.status == InstallmentStatus.OPEN)
    return select(AGREEMENTS.c.customer_id).where(
        AGREEMENTS.c.status == AgreementStatus.ACTIVE,
        exists(select(literal(1)).select_from(INSTALLMENTS).where(unpaid)),
        ~exists(select(literal(1)).select_from(INSTALLMENTS).where(unpaid, ai.due_date < on)),
    )


def exists_in(table: Any, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """EXISTS (SELECT 1 FROM table WHERE conditions), correlated with the enclosing query."""
    return exists(select(literal(1)).select_from(table).where(*conditions))

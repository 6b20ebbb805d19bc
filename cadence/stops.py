"""Steps that must not go out any more: their bill was paid, cancelled or renegotiated, or the
debtor is paused (dispute, payment report, promise, agreement being kept, staff hold).
Withdrawn at once for every due step, in one UPDATE."""

import logging
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, case, exists, literal, or_, select, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from billing.models import AgreementStatus, InstallmentStatus, InvoiceStatus
from cadence.candidates import INSTALLMENTS, INV, STEPS
from cadence.models import StepStatus
from cadence.pausing import AGREEMENTS, paused

logger = logging.getLogger(__name__)

BILL_CLOSED = "bill_closed"
PAUSED = "paused"


def withdraw_stopped(session: Session, today: date, now: datetime) -> int:
    """Withdraw every planned step due by `now` whose bill is no longer open or whose debtor
    is paused on `today`; the number withdrawn. A withdrawn step keeps its row (status,
    reason) under revision = its id, so the same step may be planned again later."""
    closed = _bill_closed()
    stopped = or_(
        closed,
        and_(STEPS.c.invoice_id.is_not(None), paused(STEPS.c.customer_id, today, agreement=True)),
        and_(
            STEPS.c.installment_id.is_not(None),
            paused(STEPS.c.customer_id, today, agreement=False),
        ),
    )
    statement = (
        update(STEPS)
        .where(
            STEPS.c.status == StepStatus.PLANNED,
            STEPS.c.revision == 0,
            STEPS.c.send_at <= now,
            stopped,
        )
        .values(
            status=StepStatus.WITHDRAWN,
            revision=STEPS.c.id,
            reason=case((closed, literal(BILL_CLOSED)), else_=literal(PAUSED)),
            executed_at=now,
        )
    )
    result = cast(CursorResult[Any], session.execute(statement))
    if result.rowcount:
        logger.info("cadence steps withdrawn", extra={"steps": result.rowcount})
    return int(result.rowcount or 0)


def _bill_closed() -> ColumnElement[bool]:
    open_invoice = exists(
        select(literal(1)).where(INV.c.id == STEPS.c.invoice_id, INV.c.status == InvoiceStatus.OPEN)
    )
    open_installment = exists(
        select(literal(1))
        .select_from(INSTALLMENTS.join(AGREEMENTS, AGREEMENTS.c.id == INSTALLMENTS.c.agreement_id))
        .where(
            INSTALLMENTS.c.id == STEPS.c.installment_id,
            INSTALLMENTS.c.status == InstallmentStatus.OPEN,
            AGREEMENTS.c.status.in_([AgreementStatus.ACTIVE, AgreementStatus.BROKEN]),
        )
    )
    return or_(
        and_(STEPS.c.invoice_id.is_not(None), ~open_invoice),
        and_(STEPS.c.installment_id.is_not(None), ~open_installment),
    )

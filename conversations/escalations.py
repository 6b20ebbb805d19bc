"""Threads handed to staff: opened by the agent, listed for staff, resolved when handed back."""

import logging
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from billing.claims import insert_once
from conversations.models import Escalation, EscalationStatus

logger = logging.getLogger(__name__)


def open_escalation(
    session: Session,
    *,
    wa_id: str,
    customer_id: int | None,
    reason: str,
    summary: str,
    idempotency_key: str,
) -> int | None:
    """Record the hand-off once per key; the new id, or None when it was recorded before."""
    row = Escalation(
        wa_id=wa_id,
        customer_id=customer_id,
        reason=reason,
        summary=summary,
        idempotency_key=idempotency_key,
    )
    escalation_id = insert_once(session, row, "idempotency_key")
    logger.info("thread escalated: %s", reason, extra={"escalation_id": escalation_id})
    return escalation_id


def open_escalations(session: Session) -> list[Escalation]:
    query = (
        select(Escalation)
        .where(col(Escalation.status) == EscalationStatus.OPEN)
        .order_by(col(Escalation.created_at), col(Escalation.id))
    )
    return list(session.exec(query).all())


def resolve_escalations(session: Session, wa_id: str, staff: str, note: str) -> int:
    """Close the thread's open escalations; how many were open."""
    rows = session.exec(
        select(Escalation)
        .where(col(Escalation.wa_id) == wa_id)
        .where(col(Escalation.status) == EscalationStatus.OPEN)
    ).all()
    for row in rows:
        row.status = EscalationStatus.RESOLVED
        row.resolved_at = datetime.now(UTC)
        row.resolved_by = staff
        row.note = note or None
        session.add(row)
    return len(rows)

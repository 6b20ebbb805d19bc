"""Delivery statuses from the webhook (sent, delivered, read, failed) applied to the outbox.

Statuses only move a message forward (sent < delivered < read), whatever order the webhooks
arrive in, and each move is one conditional UPDATE, so two webhooks racing on one message
cannot undo each other. A status is matched by `wamid`, or by the idempotency key the sender
put in `biz_opaque_callback_data`: that also records a send whose result the sender never
committed (it crashed right after Meta accepted it), before its lease runs out and it is sent
again. A message that failed because the 24-hour window had closed (131047) is queued once
more, to go out as its purpose's template.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, func, or_, select, update
from sqlmodel import Session

from billing.models import OutboxKind, OutboxMessage, OutboxStatus
from billing.outbox import queue_message
from channels.whatsapp.errors import WINDOW_CLOSED
from channels.whatsapp.store import OUTBOX

logger = logging.getLogger(__name__)

TEMPLATE_RETRY_SUFFIX = "#template"
_KEY_LIMIT = 255
# The states each status may move a message out of. A message Meta itself reported failed
# (it has a wamid) stays failed; one our sender gave up on may still turn out sent.
_BEFORE = {
    OutboxStatus.SENT: (OutboxStatus.PENDING, OutboxStatus.SENDING),
    OutboxStatus.DELIVERED: (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.SENT),
    OutboxStatus.READ: (
        OutboxStatus.PENDING,
        OutboxStatus.SENDING,
        OutboxStatus.SENT,
        OutboxStatus.DELIVERED,
    ),
    OutboxStatus.FAILED: (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.SENT),
}


@dataclass(frozen=True)
class DeliveryStatus:
    """One entry of a webhook's `statuses` array, as the outbox needs it."""

    wamid: str
    status: str  # "sent", "delivered", "read" or "failed"
    timestamp: datetime  # aware, UTC
    recipient_id: str  # the wa_id
    error_code: str | None = None
    error_title: str | None = None
    biz_opaque_callback_data: str | None = None


def apply_statuses(session: Session, statuses: list[DeliveryStatus]) -> int:
    """Record each status on its outbox message; the number of messages changed.

    Runs in the caller's transaction. Statuses of unknown messages (sent from elsewhere, or
    already purged) are skipped; a status word other than the four is ignored.
    """
    changed = 0
    for status in statuses:
        try:
            target = OutboxStatus(status.status)
        except ValueError:
            continue
        if target not in _BEFORE:
            continue
        row_id = _find(session, status)
        if row_id is None:
            logger.debug("status %s for an unknown message", status.status)
            continue
        if _move(session, row_id, target, status):
            changed += 1
            if target == OutboxStatus.FAILED and status.error_code == WINDOW_CLOSED:
                _queue_as_template(session, row_id)
    return changed


def template_retry_key(idempotency_key: str) -> str:
    """The idempotency key of the template sent in place of a message refused with 131047."""
    key = idempotency_key + TEMPLATE_RETRY_SUFFIX
    if len(key) <= _KEY_LIMIT:
        return key
    return hashlib.sha256(idempotency_key.encode()).hexdigest() + TEMPLATE_RETRY_SUFFIX


def _find(session: Session, status: DeliveryStatus) -> int | None:
    found: int | None = session.execute(
        select(OUTBOX.c.id).where(OUTBOX.c.wamid == status.wamid)
    ).scalar_one_or_none()
    if found is not None or not status.biz_opaque_callback_data:
        return found
    by_key: int | None = session.execute(
        select(OUTBOX.c.id).where(
            OUTBOX.c.idempotency_key == status.biz_opaque_callback_data,
            or_(OUTBOX.c.wamid.is_(None), OUTBOX.c.wamid == status.wamid),
        )
    ).scalar_one_or_none()
    return by_key


def _move(session: Session, row_id: int, target: OutboxStatus, status: DeliveryStatus) -> bool:
    values: dict[str, Any] = {
        "status": target,
        "wamid": func.coalesce(OUTBOX.c.wamid, status.wamid),
        "locked_until": None,
        "next_attempt_at": None,
    }
    at = status.timestamp
    if target == OutboxStatus.FAILED:
        values.update(
            failed_at=at,
            error_code=(status.error_code or "unknown")[:16],
            error_detail=status.error_title or "failed (no reason given)",
        )
    else:
        values["sent_at"] = func.coalesce(OUTBOX.c.sent_at, at)
        if target in (OutboxStatus.DELIVERED, OutboxStatus.READ):
            values["delivered_at"] = func.coalesce(OUTBOX.c.delivered_at, at)
        if target == OutboxStatus.READ:
            values["read_at"] = at
    statement = update(OUTBOX).where(OUTBOX.c.id == row_id, _may_become(target)).values(**values)
    result = cast(CursorResult[Any], session.execute(statement))
    return bool(result.rowcount)


def _may_become(target: OutboxStatus) -> ColumnElement[bool]:
    allowed = OUTBOX.c.status.in_(_BEFORE[target])
    if target == OutboxStatus.FAILED:
        return allowed
    given_up = and_(OUTBOX.c.status == OutboxStatus.FAILED, OUTBOX.c.wamid.is_(None))
    return or_(allowed, given_up)


def _queue_as_template(session: Session, row_id: int) -> None:
    """Queue the message again, marked to go out as its purpose's template (the sender picks
    the template, or fails it as `window_closed` when the purpose has none)."""
    row = session.get(OutboxMessage, row_id, populate_existing=True)
    if row is None or row.kind == OutboxKind.TEMPLATE:
        return
    payload = {**row.payload, "force_template": True, "replaces": row.id}
    new_id = queue_message(
        session,
        customer_id=row.customer_id,
        to=row.to,
        purpose=row.purpose,
        body=row.body,
        idempotency_key=template_retry_key(row.idempotency_key),
        kind=OutboxKind(row.kind),
        payload=payload,
    )
    logger.info(
        "outbox message %s refused outside the 24-hour window; queued again as a template",
        row_id,
        extra={"outbox_message_id": row_id, "replacement_id": new_id},
    )

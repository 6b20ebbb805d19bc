"""Promises to pay on the ledger: the facts the promise rules read, registering one once per
message, and settling pending ones as kept or broken."""

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from billing.installments import open_installments
from billing.models import (
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentPromise,
    PromiseStatus,
    utc_now,
)
from billing.records import insert_or_get
from policies.promises import PromiseFacts, PromiseRules
from quita.clock import start_of_day

logger = logging.getLogger(__name__)


def promise_facts(
    session: Session, customer_id: int, today: date, rules: PromiseRules
) -> PromiseFacts:
    """The customer's pending promise still pausing reminders on `today`, the promises broken
    within the rules' lookback, and whether anything is owed (an open invoice or
    installment)."""
    pending = pending_promise(session, customer_id, today)
    since = start_of_day(today - timedelta(rules.broken_lookback_days))
    broken = session.exec(
        select(func.count())
        .select_from(PaymentPromise)
        .where(
            PaymentPromise.customer_id == customer_id,
            PaymentPromise.status == PromiseStatus.BROKEN,
            col(PaymentPromise.resolved_at) >= since,
        )
    ).one()
    return PromiseFacts(
        pending_promise_date=None if pending is None else pending.promised_date,
        broken_promises=int(broken),
        has_open_debt=has_open_debt(session, customer_id),
    )


def register_promise(
    session: Session,
    customer_id: int,
    promised_date: date,
    pause_until: date,
    amount: Decimal,
    idempotency_key: str,
    *,
    now: datetime | None = None,
) -> tuple[PaymentPromise, bool]:
    """Record a promise to pay `amount` (reais) by `promised_date`, pausing reminders until
    `pause_until`, once per `idempotency_key`; the stored promise and whether it is new."""
    row = PaymentPromise(
        customer_id=customer_id,
        promised_date=promised_date,
        pause_until=pause_until,
        amount=amount,
        status=PromiseStatus.PENDING,
        idempotency_key=idempotency_key,
        created_at=now or utc_now(),
    )
    promise, created = insert_or_get(session, row)
    if created:
        logger.info(
            "promise to pay registered",
            extra={"customer_id": customer_id, "payment_promise_id": promise.id},
        )
    return promise, created


def pending_promise(session: Session, customer_id: int, today: date) -> PaymentPromise | None:
    """The customer's pending promise whose pause runs through `today`, if any."""
    return session.exec(
        select(PaymentPromise)
        .where(
            PaymentPromise.customer_id == customer_id,
            PaymentPromise.status == PromiseStatus.PENDING,
            col(PaymentPromise.pause_until) >= today,
        )
        .order_by(col(PaymentPromise.pause_until).desc())
    ).first()


def resolve_promises(
    session: Session, customer_id: int, today: date, *, now: datetime | None = None
) -> list[PaymentPromise]:
    """Settle the customer's pending promises: kept once payments made since the promise
    reach its amount, or nothing is owed any more; broken when still unpaid after its pause.
    Returns the promises that changed."""
    now = now or utc_now()
    changed = []
    pending = session.exec(
        select(PaymentPromise).where(
            PaymentPromise.customer_id == customer_id,
            PaymentPromise.status == PromiseStatus.PENDING,
        )
    ).all()
    for promise in pending:
        status = _outcome(session, promise, today)
        if status is None:
            continue
        promise.status = status
        promise.resolved_at = now
        session.add(promise)
        changed.append(promise)
    session.flush()
    return changed


def has_open_debt(session: Session, customer_id: int) -> bool:
    """Whether the customer has an open invoice or an unpaid installment."""
    invoice = session.exec(
        select(Invoice.id).where(
            Invoice.customer_id == customer_id, Invoice.status == InvoiceStatus.OPEN
        )
    ).first()
    return invoice is not None or bool(open_installments(session, customer_id))


def _outcome(session: Session, promise: PaymentPromise, today: date) -> PromiseStatus | None:
    paid = session.exec(
        select(func.sum(Payment.amount)).where(
            Payment.customer_id == promise.customer_id,
            col(Payment.paid_at) >= promise.created_at,
        )
    ).one() or Decimal("0.00")
    if paid >= promise.amount or not has_open_debt(session, promise.customer_id):
        return PromiseStatus.KEPT
    if today > promise.pause_until:
        return PromiseStatus.BROKEN
    return None

"""Agreements on the ledger: creating one from an accepted offer (its invoices become
"renegotiated"), finding the active one, and breaking or cancelling it."""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from billing.audit import audit_row, record
from billing.claims import insert_once
from billing.errors import LedgerError
from billing.models import (
    Agreement,
    AgreementInstallment,
    AgreementInvoice,
    AgreementStatus,
    InstallmentStatus,
    Invoice,
    InvoiceStatus,
    Payment,
    utc_now,
)
from billing.money import format_json
from policies.offers import Offer

logger = logging.getLogger(__name__)


class AgreementError(LedgerError):
    """An agreement cannot be created or changed as asked; the message says why (English)."""


@dataclass(frozen=True)
class AgreementCreated:
    """`created` is False when the idempotency key had already made this agreement."""

    agreement_id: int
    created: bool


def create_agreement(
    session: Session,
    customer_id: int,
    offer: Offer,
    invoices: list[Invoice],
    idempotency_key: str,
    actor: str,
    *,
    now: datetime | None = None,
) -> AgreementCreated:
    """Record the accepted `offer` once per `idempotency_key`, in the caller's transaction.

    `invoices` must be exactly the offer's, open and the customer's; they are locked, marked
    "renegotiated" (so neither the balance nor the cadence sees them) and linked to the
    agreement with what each was worth. The agreement, its installments and every invoice
    change are audited. A repeated key returns the first agreement with `created` False.
    Raises AgreementError when the invoices do not fit the offer or are no longer open.
    """
    existing = _by_key(session, idempotency_key)
    if existing is not None:
        return AgreementCreated(existing, False)
    now = now or utc_now()
    locked = _lock_invoices(session, customer_id, offer, invoices)
    # The locks may have waited for a concurrent acceptance of the same message to commit.
    existing = _by_key(session, idempotency_key)
    if existing is not None:
        return AgreementCreated(existing, False)
    _require_open(locked)
    agreement_id = insert_once(
        session, _agreement_row(customer_id, offer, idempotency_key, now), "idempotency_key"
    )
    if agreement_id is None:
        return AgreementCreated(_require(_by_key(session, idempotency_key)), False)
    _add_installments(session, agreement_id, offer)
    _replace_invoices(session, agreement_id, offer, locked, actor, now)
    details = {**_offer_summary(offer), "customer_id": customer_id}
    record(
        session, [audit_row(actor, "agreement.created", "agreement", agreement_id, details, now)]
    )
    logger.info(
        "agreement created",
        extra={
            "agreement_id": agreement_id,
            "customer_id": customer_id,
            "offer_id": offer.offer_id,
        },
    )
    return AgreementCreated(agreement_id, True)


def active_agreement(session: Session, customer_id: int) -> Agreement | None:
    """The customer's active agreement, if any (the newest, should there be several)."""
    return session.exec(
        select(Agreement)
        .where(Agreement.customer_id == customer_id, Agreement.status == AgreementStatus.ACTIVE)
        .order_by(col(Agreement.id).desc())
    ).first()


def last_broken_agreement_on(session: Session, customer_id: int) -> datetime | None:
    """When the customer's most recently broken agreement broke, or None."""
    return session.exec(
        select(func.max(Agreement.closed_at)).where(
            Agreement.customer_id == customer_id, Agreement.status == AgreementStatus.BROKEN
        )
    ).one()


def break_agreement(
    session: Session, agreement_id: int, actor: str, reason: str, *, now: datetime | None = None
) -> bool:
    """Mark an active agreement broken (an installment went unpaid); False if it was not active.

    Limitation: the replaced invoices stay "renegotiated" and the unpaid installments stay
    owed at their agreed amounts; the discount is not revoked, so a broken agreement is
    collected as its installments rather than as the original debt.
    """
    return _close(session, agreement_id, AgreementStatus.BROKEN, actor, reason, now or utc_now())


def cancel_agreement(
    session: Session, agreement_id: int, actor: str, reason: str, *, now: datetime | None = None
) -> bool:
    """Undo an active agreement nothing was paid on: its invoices are open again (audited).

    False if it was not active. Raises AgreementError once an installment received money,
    because that money would then belong to no invoice.
    """
    paid = session.exec(
        select(func.count())
        .select_from(Payment)
        .join(AgreementInstallment, col(AgreementInstallment.id) == col(Payment.installment_id))
        .where(AgreementInstallment.agreement_id == agreement_id)
    ).one()
    if paid:
        raise AgreementError(f"agreement {agreement_id} has payments and cannot be cancelled")
    now = now or utc_now()
    if not _close(session, agreement_id, AgreementStatus.CANCELLED, actor, reason, now):
        return False
    _reopen_invoices(session, agreement_id, actor, now)
    return True


def _lock_invoices(
    session: Session, customer_id: int, offer: Offer, invoices: list[Invoice]
) -> list[Invoice]:
    refs = sorted(invoice.external_id for invoice in invoices)
    if refs != sorted(offer.invoice_refs):
        raise AgreementError("the invoices given are not the ones the offer renegotiates")
    locked = []
    # Locked in id order, so two acceptances of overlapping invoices cannot deadlock.
    for invoice in sorted(invoices, key=lambda item: item.id or 0):
        fresh = session.get(Invoice, invoice.id, with_for_update=True, populate_existing=True)
        if fresh is None or fresh.customer_id != customer_id:
            raise AgreementError(f"invoice {invoice.external_id} is not the customer's")
        locked.append(fresh)
    return locked


def _require_open(invoices: list[Invoice]) -> None:
    for invoice in invoices:
        if invoice.status != InvoiceStatus.OPEN:
            raise AgreementError(f"invoice {invoice.external_id} is {invoice.status}, not open")


def _agreement_row(customer_id: int, offer: Offer, key: str, now: datetime) -> Agreement:
    return Agreement(
        customer_id=customer_id,
        status=AgreementStatus.ACTIVE,
        offer_id=offer.offer_id,
        terms=offer.to_json(),
        original_total=offer.original_total,
        discount_interest=offer.discount.interest,
        discount_late_fee=offer.discount.late_fee,
        discount_principal=offer.discount.principal,
        total=offer.total,
        idempotency_key=key,
        created_at=now,
    )


def _add_installments(session: Session, agreement_id: int, offer: Offer) -> None:
    session.add_all(
        AgreementInstallment(
            agreement_id=agreement_id,
            number=item.number,
            due_date=item.due_date,
            amount=item.amount,
            status=InstallmentStatus.OPEN,
        )
        for item in offer.installments
    )
    session.flush()


def _replace_invoices(
    session: Session,
    agreement_id: int,
    offer: Offer,
    invoices: list[Invoice],
    actor: str,
    now: datetime,
) -> None:
    worth = {item.ref: item.total for item in offer.items}
    audits = []
    for invoice in invoices:
        invoice_id = _require(invoice.id)
        session.add(
            AgreementInvoice(
                agreement_id=agreement_id, invoice_id=invoice_id, amount=worth[invoice.external_id]
            )
        )
        invoice.status = InvoiceStatus.RENEGOTIATED
        invoice.updated_at = now
        session.add(invoice)
        details = {"status": {"from": "open", "to": "renegotiated"}, "agreement_id": agreement_id}
        audits.append(audit_row(actor, "invoice.renegotiated", "invoice", invoice_id, details, now))
    session.flush()
    record(session, audits)


def _reopen_invoices(session: Session, agreement_id: int, actor: str, now: datetime) -> None:
    invoices = session.exec(
        select(Invoice)
        .join(AgreementInvoice, col(AgreementInvoice.invoice_id) == col(Invoice.id))
        .where(
            AgreementInvoice.agreement_id == agreement_id,
            Invoice.status == InvoiceStatus.RENEGOTIATED,
        )
    ).all()
    audits = []
    for invoice in invoices:
        invoice.status = InvoiceStatus.OPEN
        invoice.updated_at = now
        session.add(invoice)
        details = {"status": {"from": "renegotiated", "to": "open"}, "agreement_id": agreement_id}
        audits.append(
            audit_row(actor, "invoice.reopened", "invoice", _require(invoice.id), details, now)
        )
    session.flush()
    record(session, audits)


def _close(
    session: Session,
    agreement_id: int,
    status: AgreementStatus,
    actor: str,
    reason: str,
    now: datetime,
) -> bool:
    agreement = session.get(Agreement, agreement_id, with_for_update=True, populate_existing=True)
    if agreement is None or agreement.status != AgreementStatus.ACTIVE:
        return False
    agreement.status = status
    agreement.closed_at = now
    session.add(agreement)
    session.flush()
    details = {"status": {"from": "active", "to": str(status)}, "reason": reason}
    record(
        session, [audit_row(actor, f"agreement.{status}", "agreement", agreement_id, details, now)]
    )
    logger.info("agreement %s", status, extra={"agreement_id": agreement_id})
    return True


def _offer_summary(offer: Offer) -> dict[str, object]:
    return {
        "offer_id": offer.offer_id,
        "fingerprint": offer.fingerprint,
        "invoices": list(offer.invoice_refs),
        "original_total": format_json(offer.original_total),
        "discount": format_json(offer.discount.total),
        "total": format_json(offer.total),
        "installments": offer.count,
    }


def _by_key(session: Session, key: str) -> int | None:
    return session.exec(select(Agreement.id).where(Agreement.idempotency_key == key)).first()


def _require(value: int | None) -> int:
    if value is None:
        raise RuntimeError("a stored row has no id")
    return value

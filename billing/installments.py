"""Agreement installments: which are owed and overdue, closing one that a payment covered (and
the agreement with its last), and the confirmation the debtor receives."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from billing.audit import audit_row, record
from billing.confirmations import PaymentFit, first_name, signature
from billing.models import (
    Agreement,
    AgreementInstallment,
    AgreementInvoice,
    AgreementStatus,
    ErpActionStatus,
    InstallmentStatus,
    Invoice,
    Payment,
)
from quita.policy import IspProfile

_OPEN_AGREEMENT = (AgreementStatus.ACTIVE, AgreementStatus.BROKEN)


@dataclass(frozen=True)
class InstallmentConfirmation:
    """The facts an installment confirmation states; money already written in pt-BR."""

    customer_name: str
    is_company: bool
    amount: str
    number: int
    count: int
    fit: PaymentFit
    difference: str | None = None
    next_due: date | None = None
    agreement_paid: bool = False
    restore: ErpActionStatus | None = None


def paid_on_installment(session: Session, installment_id: int) -> Decimal:
    """Money recorded against the installment so far (reais)."""
    total = session.exec(
        select(func.sum(Payment.amount)).where(Payment.installment_id == installment_id)
    ).one()
    return total or Decimal("0.00")


def is_collectable(agreement: Agreement | None) -> bool:
    """Whether the agreement's installments are still owed (active, or broken but unpaid)."""
    return agreement is not None and agreement.status in _OPEN_AGREEMENT


def close_installment(
    session: Session,
    installment: AgreementInstallment,
    *,
    paid_at: datetime,
    payment_id: int,
    actor: str,
    now: datetime,
) -> bool:
    """Mark the installment paid (audited) and, when it was the last one open, the agreement
    paid too; returns whether the agreement is now paid."""
    installment_id = _require(installment.id)
    installment.status = InstallmentStatus.PAID
    installment.paid_at = paid_at
    session.add(installment)
    session.flush()
    details = {"status": {"from": "open", "to": "paid"}, "payment_id": payment_id}
    rows = [audit_row(actor, "installment.paid", "agreement_installment", installment_id, details)]
    previous = _close_if_done(session, installment.agreement_id, now)
    if previous is not None:
        closed = {"status": {"from": previous, "to": "paid"}, "payment_id": payment_id}
        rows.append(
            audit_row(actor, "agreement.paid", "agreement", installment.agreement_id, closed)
        )
    record(session, rows)
    return previous is not None


def next_open_due(session: Session, agreement_id: int) -> date | None:
    """The due date of the agreement's next unpaid installment, if any."""
    return session.exec(
        select(func.min(AgreementInstallment.due_date)).where(
            AgreementInstallment.agreement_id == agreement_id,
            AgreementInstallment.status == InstallmentStatus.OPEN,
        )
    ).one()


def installment_count(session: Session, agreement_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(AgreementInstallment)
            .where(AgreementInstallment.agreement_id == agreement_id)
        ).one()
    )


def installments_of(session: Session, agreement_id: int) -> list[AgreementInstallment]:
    """The agreement's installments by number."""
    return list(
        session.exec(
            select(AgreementInstallment)
            .where(AgreementInstallment.agreement_id == agreement_id)
            .order_by(col(AgreementInstallment.number))
        ).all()
    )


def open_installments(session: Session, customer_id: int) -> list[AgreementInstallment]:
    """Unpaid installments of the customer's active or broken agreements, earliest due first."""
    return list(
        session.exec(
            select(AgreementInstallment)
            .join(Agreement, col(Agreement.id) == col(AgreementInstallment.agreement_id))
            .where(
                Agreement.customer_id == customer_id,
                col(Agreement.status).in_([AgreementStatus.ACTIVE, AgreementStatus.BROKEN]),
                AgreementInstallment.status == InstallmentStatus.OPEN,
            )
            .order_by(col(AgreementInstallment.due_date), col(AgreementInstallment.id))
        ).all()
    )


def contract_ids_of(session: Session, agreement_id: int) -> list[int]:
    """The contracts whose invoices the agreement replaced."""
    rows = session.exec(
        select(Invoice.contract_id)
        .join(AgreementInvoice, col(AgreementInvoice.invoice_id) == col(Invoice.id))
        .where(AgreementInvoice.agreement_id == agreement_id)
        .distinct()
    ).all()
    return sorted(contract_id for contract_id in rows if contract_id is not None)


def has_overdue_installment(session: Session, contract_id: int, today: date) -> bool:
    """Whether an unpaid installment of an agreement that replaced an invoice of the contract
    fell due before `today` (installment due dates are business days already)."""
    query = (
        select(AgreementInstallment.id)
        .join(Agreement, col(Agreement.id) == col(AgreementInstallment.agreement_id))
        .join(AgreementInvoice, col(AgreementInvoice.agreement_id) == col(Agreement.id))
        .join(Invoice, col(Invoice.id) == col(AgreementInvoice.invoice_id))
        .where(
            Invoice.contract_id == contract_id,
            col(Agreement.status).in_([AgreementStatus.ACTIVE, AgreementStatus.BROKEN]),
            AgreementInstallment.status == InstallmentStatus.OPEN,
            col(AgreementInstallment.due_date) < today,
        )
    )
    return session.exec(query).first() is not None


def installment_confirmation_text(facts: InstallmentConfirmation, isp: IspProfile) -> str:
    """The pt-BR message confirming a payment of an installment, signed by the ISP."""
    f = facts
    name = f.customer_name if f.is_company else first_name(f.customer_name)
    lines = [
        f"Olá, {name}! Recebemos o seu pagamento de {f.amount} referente à parcela "
        f"{f.number} de {f.count} do seu acordo{_outcome(f)}"
    ]
    if f.restore == ErpActionStatus.DONE:
        lines.append("Sua internet já foi religada.")
    elif f.restore == ErpActionStatus.REQUESTED:
        lines.append("Já pedimos a religação da sua internet; ela volta em até 24 horas.")
    lines.append(signature(isp))
    return "\n\n".join(lines)


def _outcome(f: InstallmentConfirmation) -> str:
    if f.fit in (PaymentFit.ALREADY_PAID, PaymentFit.CANCELLED):
        return (
            ", que não está mais em aberto. Nossa equipe vai conferir e falar com você sobre "
            "a devolução do valor."
        )
    if f.fit == PaymentFit.SHORT:
        return f". Muito obrigado! Ainda faltam {f.difference} para quitar esta parcela."
    extra = ""
    if f.fit == PaymentFit.EXCESS:
        extra = f" O valor ficou {f.difference} acima do devido; nossa equipe vai conferir."
    if f.agreement_paid:
        return f". Com ela, o seu acordo está quitado. Muito obrigado!{extra}"
    following = ""
    if f.next_due is not None:
        following = f" A próxima parcela vence em {f.next_due.strftime('%d/%m/%Y')}."
    return f". Muito obrigado!{following}{extra}"


def _close_if_done(session: Session, agreement_id: int, now: datetime) -> str | None:
    """Close a fully paid agreement; its status before, or None when it stays as it was."""
    if next_open_due(session, agreement_id) is not None:
        return None
    agreement = session.get(Agreement, agreement_id, with_for_update=True, populate_existing=True)
    if agreement is None or agreement.status not in _OPEN_AGREEMENT:
        return None
    previous = agreement.status
    agreement.status = AgreementStatus.PAID
    agreement.closed_at = now
    session.add(agreement)
    session.flush()
    return previous


def _require(value: int | None) -> int:
    if value is None:
        raise RuntimeError("a stored installment has no id")
    return value

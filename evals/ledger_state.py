"""The ledger after a conversation, as plain JSON: what the end-state checks compare against
and what the report shows. Lists hold only the rows the conversation created."""

from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from billing.models import (
    Agreement,
    AgreementInstallment,
    AgreementInvoice,
    Dispute,
    Invoice,
    OutboxMessage,
    Payment,
    PaymentCharge,
    PaymentPromise,
    PaymentReport,
    TrustUnblock,
)
from billing.phones import e164_from_wa_id
from conversations.models import Escalation, Thread
from evals.world import Seeded

WINDOW_ERRORS = frozenset({"131047", "window_closed"})


def ledger_snapshot(engine: Engine, seeded: Seeded, wa_id: str) -> dict[str, Any]:
    with Session(engine) as session:
        return {
            "invoices": _invoices(session, seeded),
            "agreements": [
                _agreement(session, row, seeded) for row in _new(session, Agreement, seeded)
            ],
            "promises": [
                {
                    "date": row.promised_date.isoformat(),
                    "status": row.status,
                    "amount": f"{row.amount}",
                }
                for row in _new(session, PaymentPromise, seeded)
            ],
            "disputes": [
                {
                    "status": row.status,
                    "invoice": seeded.invoice_ref(row.invoice_id),
                    "answer_due": row.answer_due.isoformat(),
                }
                for row in _new(session, Dispute, seeded)
            ],
            "payment_reports": [
                {
                    "method": row.method,
                    "pause_until": row.pause_until.isoformat(),
                    "status": row.status,
                }
                for row in _new(session, PaymentReport, seeded)
            ],
            "trust_unblocks": [
                {"until": row.until.isoformat()} for row in _new(session, TrustUnblock, seeded)
            ],
            "escalations": [
                {"reason": row.reason, "status": row.status}
                for row in _new(session, Escalation, seeded)
            ],
            "payments": [
                {"amount": f"{row.amount}", "invoice": seeded.invoice_ref(row.invoice_id)}
                for row in _new(session, Payment, seeded)
            ],
            "charges": _charges(session, seeded),
            **_thread(session, wa_id),
            "outbox": _outbox(session, wa_id),
        }


def _new(session: Session, model: Any, seeded: Seeded) -> list[Any]:
    since = seeded.high_water.get(model.__name__, 0)
    return list(session.exec(select(model).where(col(model.id) > since).order_by(col(model.id))))


def _invoices(session: Session, seeded: Seeded) -> dict[str, str]:
    rows = session.exec(select(Invoice).order_by(col(Invoice.id))).all()
    return {row.external_id: row.status for row in rows}


def _agreement(session: Session, row: Agreement, seeded: Seeded) -> dict[str, Any]:
    installments = session.exec(
        select(AgreementInstallment)
        .where(AgreementInstallment.agreement_id == row.id)
        .order_by(col(AgreementInstallment.number))
    ).all()
    links = session.exec(
        select(AgreementInvoice).where(AgreementInvoice.agreement_id == row.id)
    ).all()
    discount = row.discount_interest + row.discount_late_fee + row.discount_principal
    return {
        "status": row.status,
        "offer_id": row.offer_id,
        "installments": len(installments),
        "total": f"{row.total}",
        "discount": f"{discount}",
        "first_due": installments[0].due_date.isoformat() if installments else None,
        "amounts": [f"{item.amount}" for item in installments],
        "invoices": sorted(ref for link in links if (ref := seeded.invoice_ref(link.invoice_id))),
        "terms": row.terms,
    }


def _charges(session: Session, seeded: Seeded) -> dict[str, int]:
    counts = {"pix": 0, "boleto": 0}
    for row in _new(session, PaymentCharge, seeded):
        counts[row.kind] = counts.get(row.kind, 0) + 1
    return counts


def _thread(session: Session, wa_id: str) -> dict[str, Any]:
    thread = session.exec(select(Thread).where(Thread.wa_id == wa_id)).first()
    if thread is None:
        return {"opted_out": False, "thread_owner": "agent"}
    return {"opted_out": thread.opted_out_at is not None, "thread_owner": thread.owner}


def _outbox(session: Session, wa_id: str) -> list[dict[str, Any]]:
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.to == e164_from_wa_id(wa_id))
        .order_by(col(OutboxMessage.id))
    ).all()
    return [
        {
            "kind": row.kind,
            "purpose": row.purpose,
            "status": row.status,
            "error_code": row.error_code,
            "error_detail": row.error_detail,
        }
        for row in rows
    ]

"""Small ledgers for payment tests: a debtor, a contract and invoices, written in one go."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from billing.models import Contract, ContractStatus, Customer, Invoice
from billing.notices import IncomingPayment, NoticeSource
from quita.db import session_scope

TODAY = date(2026, 11, 20)
DUE = date(2026, 11, 10)
PRINCIPAL = Decimal("99.90")
PHONE = "+5531998765432"


@dataclass(frozen=True)
class Ledger:
    customer_id: int
    contract_id: int
    invoice_id: int
    other_invoice_id: int | None = None


def seed_ledger(
    engine: Engine,
    *,
    suspended: bool = False,
    other_overdue: bool = False,
    due: date = DUE,
    principal: Decimal = PRINCIPAL,
) -> Ledger:
    """Maria, one contract (suspended on request) and the 2026-11 invoice; `other_overdue`
    adds an open 2026-10 invoice on the same contract."""
    with session_scope(engine) as session:
        customer = _add(
            session,
            Customer(
                external_id="C1",
                name="MARIA DAS DORES SOUZA",
                document="52998224725",
                document_kind="cpf",
                phone=PHONE,
                state="MG",
            ),
        )
        contract = _add(
            session,
            Contract(
                customer_id=customer.id,
                plan="Fibra 500 Mega",
                monthly_fee=principal,
                status=ContractStatus.SUSPENDED if suspended else ContractStatus.ACTIVE,
                activated_on=date(2025, 1, 5),
                suspended_on=date(2026, 11, 15) if suspended else None,
            ),
        )
        invoice = _add(session, _invoice("INV-11", customer, contract, principal, due, "2026-11"))
        other = None
        if other_overdue:
            october = _invoice(
                "INV-10", customer, contract, principal, date(2026, 10, 10), "2026-10"
            )
            other = _add(session, october)
        return Ledger(
            _id(customer), _id(contract), _id(invoice), None if other is None else _id(other)
        )


def pix_notice(
    txid: str | None,
    amount: Decimal,
    end_to_end_id: str = "E18236120202611201303s0123456789",
    paid_at: datetime = datetime(2026, 11, 20, 13, 3, 33, tzinfo=UTC),
) -> IncomingPayment:
    raw: dict[str, Any] = {
        "endToEndId": end_to_end_id,
        "txid": txid,
        "valor": f"{amount:.2f}",
        "horario": paid_at.isoformat(),
    }
    return IncomingPayment(NoticeSource.PIX_WEBHOOK, end_to_end_id, txid, amount, paid_at, raw)


def count(engine: Engine, model: type, *where: Any) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(model).where(*where)
        return int(session.execute(query).scalar_one())


def _invoice(
    external_id: str,
    customer: Customer,
    contract: Contract,
    principal: Decimal,
    due: date,
    month: str,
) -> Invoice:
    return Invoice(
        external_id=external_id,
        customer_id=_id(customer),
        contract_id=contract.id,
        amount=principal,
        due_date=due,
        reference_month=month,
    )


def _add(session: Session, row: Any) -> Any:
    session.add(row)
    session.flush()
    return row


def _id(row: Any) -> int:
    assert row.id is not None
    return int(row.id)

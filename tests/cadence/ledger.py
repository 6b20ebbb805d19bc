"""Small ledgers for cadence tests: debtors with a contract, bills and a pinned segment, and
helpers to run the cadence at a São Paulo moment and read what it wrote."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from billing.models import (
    Contract,
    ContractStatus,
    Customer,
    Invoice,
    InvoiceStatus,
    OutboxMessage,
    OutboxStatus,
)
from cadence.models import CadenceStep
from cadence.runner import CadenceRun, run_cadence
from cadence.segments import pin_segment
from policies.segments import Segment
from quita.clock import BUSINESS_TZ
from quita.db import session_scope
from quita.policy import Policy

POLICY = Policy()
TODAY = date(2026, 12, 3)  # a Thursday
FEE = Decimal("99.90")


@dataclass(frozen=True)
class Debtor:
    customer_id: int
    contract_id: int
    external_id: str
    phone: str


def add_debtor(
    engine: Engine,
    number: int = 1,
    *,
    state: str = "SP",
    segment: Segment | None = Segment.DISORGANIZED,
    status: ContractStatus = ContractStatus.ACTIVE,
    suspended_on: date | None = None,
    rescinded_on: date | None = None,
) -> Debtor:
    """A debtor with one contract; `segment` is pinned so the rules do not move it."""
    phone = f"+55119876{number:05d}"
    with session_scope(engine) as session:
        customer = Customer(
            external_id=f"C{number}",
            name="MARIA DAS DORES SOUZA",
            document=f"{number:011d}",
            document_kind="cpf",
            phone=phone,
            state=state,
        )
        session.add(customer)
        session.flush()
        contract = Contract(
            customer_id=_id(customer.id),
            plan="Fibra 500 Mega",
            monthly_fee=FEE,
            status=status,
            activated_on=date(2020, 1, 6),
            suspended_on=suspended_on,
            rescinded_on=rescinded_on,
        )
        session.add(contract)
        session.flush()
        if segment is not None:
            pin_segment(session, _id(customer.id), segment, staff="test", reason="test")
        return Debtor(_id(customer.id), _id(contract.id), f"C{number}", phone)


def add_invoice(
    engine: Engine,
    debtor: Debtor,
    due: date,
    *,
    status: InvoiceStatus = InvoiceStatus.OPEN,
    amount: Decimal = FEE,
) -> int:
    with session_scope(engine) as session:
        invoice = Invoice(
            external_id=f"INV-{debtor.external_id}-{due.isoformat()}",
            customer_id=debtor.customer_id,
            contract_id=debtor.contract_id,
            amount=amount,
            due_date=due,
            reference_month=f"{due:%Y-%m}",
            status=status,
            paid_at=datetime(2026, 1, 1, tzinfo=UTC) if status == InvoiceStatus.PAID else None,
        )
        session.add(invoice)
        session.flush()
        return _id(invoice.id)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BUSINESS_TZ)


def run(engine: Engine, moment: datetime, policy: Policy = POLICY, **kwargs: object) -> CadenceRun:
    return run_cadence(engine, policy, now=moment, **kwargs)  # type: ignore[arg-type]


def steps(engine: Engine, **where: object) -> list[CadenceStep]:
    with Session(engine) as session:
        query = select(CadenceStep).order_by(col(CadenceStep.id))
        for name, value in where.items():
            query = query.where(getattr(CadenceStep, name) == value)
        return list(session.exec(query).all())


def outbox(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def deliver_all(engine: Engine, moment: datetime) -> None:
    """What the sender and the delivered-status webhook would do to every queued message."""
    utc = moment.astimezone(UTC)
    with session_scope(engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.status) == OutboxStatus.PENDING)
            .values(status=OutboxStatus.DELIVERED, sent_at=utc, delivered_at=utc)
        )


def contract_of(engine: Engine, debtor: Debtor) -> Contract:
    with Session(engine) as session:
        return session.get_one(Contract, debtor.contract_id)


def _id(value: int | None) -> int:
    assert value is not None
    return value

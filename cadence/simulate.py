"""A simulated stretch of the cadence over a ledger: each day the scheduler ticks three times,
WhatsApp delivers what was sent, debtors pay (more often after a message, much more once
suspended) through the real settlement, some promise to pay, and the month's new bills go
out. The result is a timeline a person can read, and that tests can check.

Debtors' behaviour is a seeded random model, not data: it exists to exercise the cadence.
"""

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Engine, func, select, update
from sqlmodel import Session, col

from billing.erp import ErpActionKind
from billing.instruments import outstanding
from billing.models import (
    Contract,
    ContractStatus,
    Customer,
    ErpAction,
    Invoice,
    InvoiceStatus,
    OutboxMessage,
    OutboxStatus,
)
from billing.notices import IncomingPayment, NoticeSource
from billing.promises import pending_promise, register_promise
from billing.settlement import settle
from cadence.models import CadenceStep, CustomerSegment, StepStatus
from cadence.runner import run_cadence
from quita.clock import BUSINESS_TZ
from quita.db import session_scope
from quita.policy import Policy

TICKS = (time(8, 5), time(11, 0), time(15, 30))
# Daily chance that a debtor of the segment pays a bill due within five days or overdue.
PAY_HAZARD = {
    "loyal": 0.30,
    "new_customer": 0.18,
    "disorganized": 0.10,
    "cash_flow_trouble": 0.04,
    "chronic": 0.02,
}
AFTER_MESSAGE = 2.0
WHILE_SUSPENDED = 3.0
BEFORE_DUE = 0.5
PROMISE_CHANCE = 0.08


@dataclass(frozen=True)
class Event:
    """Something that happened at `at` (aware): a cadence step carried out, a payment, a
    restore, a promise or new bills."""

    at: datetime
    kind: str
    customer: str
    detail: str


@dataclass
class DayReport:
    day: date
    events: list[Event] = field(default_factory=list)
    steps: Counter[str] = field(default_factory=Counter)
    payments: int = 0
    received: Decimal = Decimal("0.00")


@dataclass
class Timeline:
    days: list[DayReport] = field(default_factory=list)

    def events(self) -> Iterator[Event]:
        for report in self.days:
            yield from report.events


def simulate(
    engine: Engine,
    policy: Policy,
    *,
    start: date,
    days: int,
    seed: int = 1,
    ticks: Sequence[time] = TICKS,
) -> Timeline:
    """Run the cadence day by day from `start` for `days` days over the ledger in `engine`,
    ticking at each of `ticks` (São Paulo times; the first one plans the day)."""
    rng = random.Random(seed)
    timeline = Timeline()
    for offset in range(days):
        today = start + timedelta(offset)
        report = DayReport(today)
        _bill_month(engine, today, report)
        for index, tick in enumerate(sorted(ticks)):
            now = datetime.combine(today, tick, tzinfo=BUSINESS_TZ)
            run_cadence(engine, policy, now=now, plan=index == 0)
            _deliver(engine, now + timedelta(minutes=2))
        _record_steps(engine, today, report)
        after = datetime.combine(today, max(ticks), tzinfo=BUSINESS_TZ) + timedelta(minutes=5)
        _debtors_act(engine, policy, after, rng, report)
        timeline.days.append(report)
    return timeline


def _deliver(engine: Engine, at: datetime) -> None:
    """WhatsApp delivers every message queued so far (the sender and status webhooks)."""
    moment = at.astimezone(UTC)
    with session_scope(engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
            .values(status=OutboxStatus.DELIVERED, sent_at=moment, delivered_at=moment)
        )


def _record_steps(engine: Engine, today: date, report: DayReport) -> None:
    start = datetime.combine(today, time(0), tzinfo=BUSINESS_TZ)
    with Session(engine) as session:
        rows = session.execute(
            select(CadenceStep, col(Customer.external_id))
            .join(Customer, col(Customer.id) == col(CadenceStep.customer_id))
            .where(
                col(CadenceStep.executed_at) >= start,
                col(CadenceStep.executed_at) < start + timedelta(1),
                col(CadenceStep.status) != StepStatus.PLANNED,
            )
            .order_by(col(CadenceStep.executed_at), col(CadenceStep.id))
        ).all()
    for step, customer in rows:
        report.steps[f"{step.step}:{step.status}"] += 1
        if step.action is not None or step.status not in (StepStatus.SENT, StepStatus.DONE):
            detail = f"{step.step} ({step.status}{', ' + step.reason if step.reason else ''})"
            report.events.append(Event(_aware(step.executed_at), "step", customer, detail))


def _debtors_act(
    engine: Engine, policy: Policy, after: datetime, rng: random.Random, report: DayReport
) -> None:
    """Each debtor with a bill due soon or overdue may pay it, or promise to, after the day's
    last tick (so that the cadence learns of it on its next tick, as it would in life)."""
    today = after.date()
    with session_scope(engine) as session:
        for invoice, customer, segment, suspended, messaged in _payable(session, today):
            chance = PAY_HAZARD.get(segment, 0.1)
            chance *= BEFORE_DUE if invoice.due_date > today else 1.0
            chance *= AFTER_MESSAGE if messaged else 1.0
            chance *= WHILE_SUSPENDED if suspended else 1.0
            draw = rng.random()
            if draw < min(chance, 0.95):
                paid_at = _moment_after(after, rng)
                _pay(session, policy, invoice, customer, paid_at, report)
            elif invoice.due_date < today and draw > 1 - PROMISE_CHANCE * (1 if messaged else 0):
                _promise(session, policy, invoice, customer, today, report)


def _moment_after(after: datetime, rng: random.Random) -> datetime:
    end_of_day = datetime.combine(after.date(), time(23, 59), tzinfo=BUSINESS_TZ)
    spare = max(int((end_of_day - after).total_seconds()), 0)
    return after + timedelta(seconds=rng.randint(0, spare))


def _payable(session: Session, today: date) -> list[tuple[Invoice, Customer, str, bool, bool]]:
    recent = today - timedelta(3)
    messaged = (
        select(func.count())
        .where(
            col(CadenceStep.invoice_id) == col(Invoice.id),
            col(CadenceStep.status) == StepStatus.SENT,
            col(CadenceStep.planned_on) >= recent,
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(Invoice, Customer, col(CustomerSegment.segment), col(Contract.status), messaged)
        .join(Customer, col(Customer.id) == col(Invoice.customer_id))
        .outerjoin(CustomerSegment, col(CustomerSegment.customer_id) == col(Customer.id))
        .outerjoin(Contract, col(Contract.id) == col(Invoice.contract_id))
        .where(
            col(Invoice.status) == InvoiceStatus.OPEN,
            col(Invoice.due_date) <= today + timedelta(5),
        )
        .order_by(col(Invoice.id))
    ).all()
    return [
        (inv, cust, seg or "new_customer", status == ContractStatus.SUSPENDED, bool(count))
        for inv, cust, seg, status, count in rows
    ]


def _pay(
    session: Session,
    policy: Policy,
    invoice: Invoice,
    customer: Customer,
    paid_at: datetime,
    report: DayReport,
) -> None:
    today = paid_at.date()
    amount = outstanding(session, invoice, today, policy)
    notice = IncomingPayment(
        NoticeSource.PIX_WEBHOOK,
        f"SIM{invoice.id}D{today:%Y%m%d}",
        invoice.external_id,
        amount,
        paid_at.astimezone(UTC),
    )
    result = settle(session, notice, policy, today, now=paid_at)
    report.payments += 1
    report.received += amount
    detail = f"pagou {invoice.external_id} ({amount})"
    report.events.append(Event(paid_at, "payment", customer.external_id, detail))
    if result.restore is not None:
        restored = f"contrato religado (prazo {result.restore.deadline:%d/%m %H:%M})"
        report.events.append(Event(paid_at, "restore", customer.external_id, restored))


def _promise(
    session: Session,
    policy: Policy,
    invoice: Invoice,
    customer: Customer,
    today: date,
    report: DayReport,
) -> None:
    if pending_promise(session, _id(customer.id), today) is not None:
        return
    promised = today + timedelta(3)
    key = f"sim-promise-{customer.id}-{today.isoformat()}"
    pause_until = promised + timedelta(policy.promises.grace_days)
    amount = outstanding(session, invoice, today, policy)
    register_promise(session, _id(customer.id), promised, pause_until, amount, key)
    at = datetime.combine(today, time(19), BUSINESS_TZ)
    detail = f"prometeu pagar {invoice.external_id} até {promised:%d/%m}"
    report.events.append(Event(at, "promise", customer.external_id, detail))


def _bill_month(engine: Engine, today: date, report: DayReport) -> None:
    """On the 1st, each active contract gets its bill for the month, due on its usual day."""
    if today.day != 1:
        return
    with session_scope(engine) as session:
        contracts = session.scalars(
            select(Contract).where(col(Contract.status) == ContractStatus.ACTIVE)
        ).all()
        created = sum(_bill(session, contract, today) for contract in contracts)
    at = datetime.combine(today, time(6), BUSINESS_TZ)
    report.events.append(Event(at, "billing", "-", f"{created} novas faturas do mês"))


def _bill(session: Session, contract: Contract, today: date) -> int:
    last = session.scalars(
        select(Invoice)
        .where(col(Invoice.contract_id) == contract.id)
        .order_by(col(Invoice.due_date).desc())
    ).first()
    if last is None or (last.due_date.year, last.due_date.month) >= (today.year, today.month):
        return 0
    due = today.replace(day=min(last.due_date.day, 28))
    session.add(
        Invoice(
            external_id=f"SIM-{contract.id}-{due:%Y-%m}",
            customer_id=contract.customer_id,
            contract_id=contract.id,
            amount=contract.monthly_fee,
            due_date=due,
            reference_month=f"{due:%Y-%m}",
        )
    )
    return 1


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("a stored row has no id")
    return value


def restores(engine: Engine) -> int:
    """Contracts restored after a payment so far."""
    with Session(engine) as session:
        query = select(func.count()).where(col(ErpAction.action) == ErpActionKind.RESTORE)
        return int(session.execute(query).scalar_one())

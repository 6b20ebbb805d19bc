"""A scenario's world written into its own empty ledger, before the debtor says a word.

Rows are written directly (not through the tools) because they stand for history: earlier
payments, broken agreements, a trust unblock used last week. What the rules think of that
history on the scenario's day is computed here too, so the checks can later judge the
agent's offers against the debt as it stood before the conversation.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, select

from billing.documents import parse_document
from billing.models import (
    Agreement,
    AgreementInstallment,
    AgreementInvoice,
    Contract,
    Customer,
    Dispute,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentCharge,
    PaymentPromise,
    PaymentReport,
    TrustUnblock,
)
from billing.phones import wa_id_of
from billing.renegotiation_facts import renegotiation_facts
from conversations.models import Escalation, Thread
from evals.schema import AgreementSpec, ContractSpec, Scenario, World
from policies.offers import split
from policies.renegotiation import RenegotiationFacts
from quita.clock import BUSINESS_TZ
from quita.db import session_scope
from quita.policy import Policy

# Tables whose rows the conversation may add; rows past the seeded ids are "new".
WATCHED: tuple[type[SQLModel], ...] = (
    Agreement,
    PaymentPromise,
    PaymentReport,
    TrustUnblock,
    Dispute,
    Escalation,
    Payment,
    PaymentCharge,
)
NOON = time(12, 0)


@dataclass
class Seeded:
    """Ids of what was written, the last id per watched table, and the renegotiation facts
    of each customer as they stood on the scenario's day before the conversation."""

    customers: dict[str, int] = field(default_factory=dict)
    contracts: dict[str, int] = field(default_factory=dict)
    invoices: dict[str, int] = field(default_factory=dict)
    high_water: dict[str, int] = field(default_factory=dict)
    renegotiation: dict[int, RenegotiationFacts] = field(default_factory=dict)

    def invoice_ref(self, invoice_id: int | None) -> str | None:
        for ref, value in self.invoices.items():
            if value == invoice_id:
                return ref
        return None


def seed_world(engine: Engine, scenario: Scenario, policy: Policy) -> Seeded:
    """Write the scenario's world into `engine` (a migrated, empty ledger)."""
    seeded = Seeded()
    world = scenario.world
    with session_scope(engine) as session:
        _customers(session, world, seeded)
        _contracts(session, world, seeded)
        _invoices(session, world, seeded)
        _history(session, world, seeded)
        _thread(session, scenario, seeded)
    with Session(engine) as session:
        seeded.high_water = {model.__name__: _max_id(session, model) for model in WATCHED}
        seeded.renegotiation = {
            customer_id: renegotiation_facts(session, customer_id, scenario.today, policy)
            for customer_id in seeded.customers.values()
        }
    return seeded


def at_noon(day: date) -> datetime:
    return datetime.combine(day, NOON, BUSINESS_TZ)


def _customers(session: Session, world: World, seeded: Seeded) -> None:
    for spec in world.customers:
        document = parse_document(spec.document)
        row = Customer(
            external_id=spec.id,
            name=spec.name,
            document=document.value,
            document_kind=document.kind,
            phone=spec.phone,
            email=spec.email,
            state=spec.state,
            segment=spec.segment,
        )
        seeded.customers[spec.id] = _add(session, row)


def _contracts(session: Session, world: World, seeded: Seeded) -> None:
    specs = world.contracts
    if specs is None:
        specs = [ContractSpec(id=f"{ref}-K1", customer=ref) for ref in seeded.customers]
    for index, spec in enumerate(specs):
        customer = _customer_id(seeded, spec.customer)
        row = Contract(
            external_id=spec.id,
            customer_id=customer,
            plan=spec.plan,
            monthly_fee=spec.monthly_fee,
            status=spec.status,
            activated_on=spec.activated_on,
            suspended_on=spec.suspended_on,
            rescinded_on=spec.rescinded_on,
        )
        contract_id = _add(session, row)
        seeded.contracts[spec.id or f"#{index}"] = contract_id
        seeded.contracts.setdefault(f"customer:{customer}", contract_id)


def _invoices(session: Session, world: World, seeded: Seeded) -> None:
    for spec in world.invoices:
        customer = _customer_id(seeded, spec.customer)
        contract = seeded.contracts.get(spec.contract) if spec.contract else None
        paid_on = spec.paid_on or (spec.due if spec.status == "paid" else None)
        row = Invoice(
            external_id=spec.id,
            customer_id=customer,
            contract_id=contract or seeded.contracts.get(f"customer:{customer}"),
            amount=spec.amount,
            due_date=spec.due,
            reference_month=spec.month or spec.due.strftime("%Y-%m"),
            status=spec.status,
            paid_at=at_noon(paid_on) if paid_on else None,
        )
        seeded.invoices[spec.id] = _add(session, row)


def _history(session: Session, world: World, seeded: Seeded) -> None:
    for index, payment in enumerate(world.payments):
        invoice = seeded.invoices.get(payment.invoice) if payment.invoice else None
        customer = _customer_of(session, invoice) if invoice else None
        row = Payment(
            invoice_id=invoice,
            customer_id=customer or _customer_id(seeded, payment.customer),
            amount=payment.amount,
            paid_at=at_noon(payment.paid_on),
            method=payment.method,
            source_ref=f"eval-payment-{index}",
        )
        session.add(row)
    for index, agreement in enumerate(world.agreements):
        _agreement(session, agreement, seeded, f"eval-agreement-{index}")
    for index, promise in enumerate(world.promises):
        created = promise.created_on or promise.date - timedelta(days=3)
        resolved = (
            at_noon(promise.date + timedelta(days=2)) if promise.status != "pending" else None
        )
        session.add(
            PaymentPromise(
                customer_id=_customer_id(seeded, promise.customer),
                promised_date=promise.date,
                pause_until=promise.date + timedelta(days=1),
                amount=promise.amount,
                status=promise.status,
                idempotency_key=f"eval-promise-{index}",
                created_at=at_noon(created),
                resolved_at=resolved,
            )
        )
    _reports_unblocks_disputes(session, world, seeded)
    session.flush()


def _reports_unblocks_disputes(session: Session, world: World, seeded: Seeded) -> None:
    for index, report in enumerate(world.payment_reports):
        resolved = at_noon(report.pause_until) if report.status != "pending" else None
        session.add(
            PaymentReport(
                customer_id=_customer_id(seeded, report.customer),
                reported_at=at_noon(report.reported_on),
                method=report.method,
                pause_until=report.pause_until,
                status=report.status,
                idempotency_key=f"eval-report-{index}",
                resolved_at=resolved,
            )
        )
    for index, unblock in enumerate(world.trust_unblocks):
        contract = _contract_id(seeded, unblock.contract)
        session.add(
            TrustUnblock(
                contract_id=contract,
                customer_id=session.get_one(Contract, contract).customer_id,
                granted_at=at_noon(unblock.granted_on),
                until=unblock.until,
                idempotency_key=f"eval-unblock-{index}",
            )
        )
    for index, dispute in enumerate(world.disputes):
        invoice = seeded.invoices.get(dispute.invoice) if dispute.invoice else None
        session.add(
            Dispute(
                customer_id=_customer_of(session, invoice)
                if invoice
                else _customer_id(seeded, dispute.customer),
                invoice_id=invoice,
                reason=dispute.reason,
                status=dispute.status,
                opened_at=at_noon(dispute.opened_on),
                answer_due=dispute.answer_due or dispute.opened_on + timedelta(days=30),
                idempotency_key=f"eval-dispute-{index}",
            )
        )


def _agreement(session: Session, spec: AgreementSpec, seeded: Seeded, key: str) -> None:
    customer = _customer_id(seeded, spec.customer)
    closed = spec.closed_on or (None if spec.status == "active" else spec.created_on)
    row = Agreement(
        customer_id=customer,
        status=spec.status,
        offer_id="AV" if spec.installments == 1 else f"P{spec.installments}",
        terms={"seeded": True},
        original_total=spec.total,
        discount_interest=Decimal("0.00"),
        discount_late_fee=Decimal("0.00"),
        discount_principal=Decimal("0.00"),
        total=spec.total,
        idempotency_key=key,
        created_at=at_noon(spec.created_on),
        closed_at=at_noon(closed) if closed else None,
    )
    agreement_id = _add(session, row)
    first_due = spec.created_on + timedelta(days=10)
    for number, amount in enumerate(split(spec.total, spec.installments), start=1):
        due = first_due + timedelta(days=30 * (number - 1))
        session.add(
            AgreementInstallment(
                agreement_id=agreement_id, number=number, due_date=due, amount=amount
            )
        )
    for ref in spec.invoices:
        invoice = session.get_one(Invoice, seeded.invoices[ref])
        session.add(
            AgreementInvoice(
                agreement_id=agreement_id,
                invoice_id=seeded.invoices[ref],
                amount=invoice.amount,
            )
        )
        if spec.status == "active":
            invoice.status = InvoiceStatus.RENEGOTIATED
            session.add(invoice)


def _thread(session: Session, scenario: Scenario, seeded: Seeded) -> None:
    spec = scenario.world.thread
    if spec is None:
        return
    customers = list(seeded.customers.values())
    session.add(
        Thread(
            wa_id=wa_id_of(scenario.phone),
            customer_id=customers[0] if len(customers) == 1 else None,
            owner=spec.owner,
            opted_out_at=at_noon(spec.opted_out_on) if spec.opted_out_on else None,
        )
    )


def _customer_id(seeded: Seeded, ref: str | None) -> int:
    if ref is None:
        return next(iter(seeded.customers.values()))
    return seeded.customers[ref]


def _contract_id(seeded: Seeded, ref: str | None) -> int:
    if ref is None:
        return next(value for key, value in seeded.contracts.items() if key.startswith("customer:"))
    if ref not in seeded.contracts:
        raise ValueError(f"unknown contract {ref!r}")
    return seeded.contracts[ref]


def _customer_of(session: Session, invoice_id: int) -> int:
    return session.get_one(Invoice, invoice_id).customer_id


def _add(session: Session, row: Any) -> int:
    session.add(row)
    session.flush()
    assert row.id is not None
    return int(row.id)


def _max_id(session: Session, model: type[SQLModel]) -> int:
    column: Any = model.id  # type: ignore[attr-defined]
    return int(session.exec(select(func.max(column))).one() or 0)

"""The synthetic portfolio of a regional ISP behind `quita demo`: generated as plain rows from a
seed, then bulk-inserted into an empty ledger with its audit entries."""

import random
import string
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Table, func, insert, inspect, select
from sqlmodel import Session, SQLModel

from billing import demo_history
from billing import demo_names as names
from billing.audit import audit_row, record
from billing.errors import LedgerError
from billing.models import (
    Contract,
    ContractStatus,
    Customer,
    DocumentKind,
    Invoice,
    InvoiceStatus,
    Payment,
    Segment,
)
from billing.money import format_json
from quita.clock import BUSINESS_TZ

ACTOR = "demo"
# Customers without a segment pay on time; the summary counts them under this key.
ON_TIME = "on_time"
PLANS: tuple[tuple[tuple[str, Decimal], int], ...] = (
    (("Fibra 300 Mega", Decimal("79.90")), 35),
    (("Fibra 500 Mega", Decimal("99.90")), 35),
    (("Fibra 700 Mega", Decimal("129.90")), 20),
    (("Fibra 1 Giga", Decimal("199.90")), 10),
)
DUE_DAYS: tuple[tuple[int, int], ...] = ((5, 20), (10, 30), (15, 20), (20, 15), (25, 15))
# On-time payers carry no segment; `loyal` marks long-standing customers who are late now and
# then by a few days and always pay, so on time and loyal together are the ~72% majority.
PROFILES: tuple[tuple[Segment | None, int], ...] = (
    (None, 60),
    (Segment.LOYAL, 12),
    (Segment.DISORGANIZED, 11),
    (Segment.CASH_FLOW_TROUBLE, 6),
    (Segment.CHRONIC, 5),
    (Segment.NEW_CUSTOMER, 6),
)
BUSINESS_SHARE = 0.03
EMAIL_SHARE = 0.70
SECOND_CONTRACT_SHARE = 0.03
PIX_SHARE = 0.60

_T = TypeVar("_T")
_ALPHANUMERICS = string.ascii_letters + string.digits


class DemoAlreadySeeded(LedgerError):
    """The ledger already holds customers, so a demo would mix with real data."""

    def __init__(self, count: int) -> None:
        super().__init__(f"the ledger already holds {count} customers; the demo needs it empty")
        self.count = count


@dataclass(frozen=True)
class DemoCustomer:
    external_id: str
    name: str
    document: str
    document_kind: str
    phone: str
    email: str | None
    state: str
    segment: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DemoContract:
    external_id: str
    customer_external_id: str
    plan: str
    monthly_fee: Decimal
    status: str
    activated_on: date
    suspended_on: date | None
    rescinded_on: date | None
    created_at: datetime


@dataclass(frozen=True)
class DemoInvoice:
    external_id: str
    customer_external_id: str
    contract_external_id: str
    amount: Decimal
    due_date: date
    reference_month: str
    status: str
    paid_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DemoPayment:
    invoice_external_id: str
    customer_external_id: str
    amount: Decimal
    paid_at: datetime
    method: str
    source_ref: str
    created_at: datetime


@dataclass(frozen=True)
class Portfolio:
    """Plain rows linked by external id; `*_external_id` fields become foreign keys on insert."""

    today: date
    customers: tuple[DemoCustomer, ...]
    contracts: tuple[DemoContract, ...]
    invoices: tuple[DemoInvoice, ...]
    payments: tuple[DemoPayment, ...]


@dataclass(frozen=True)
class DemoSummary:
    """What a portfolio holds. A late customer has an open invoice due before today;
    `by_segment` counts customers per segment, those without one under ON_TIME."""

    customers: int
    contracts: int
    invoices: int
    open_invoices: int
    late_customers: int
    suspended_contracts: int
    rescinded_contracts: int
    payments: int
    by_segment: dict[str, int]


def generate_portfolio(customers: int, seed: int, today: date) -> Portfolio:
    """`customers` subscribers with up to 12 monthly invoices ending in `today`'s month.

    Each customer follows one payment profile (PROFILES); paid invoices carry a payment at a
    São Paulo business hour before `today`. Pure and deterministic: the same arguments give
    equal portfolios. Raises ValueError if `customers` is below 1.
    """
    if customers < 1:
        raise ValueError(f"customers must be at least 1, got {customers}")
    draft = _Draft(random.Random(seed), today, width=max(6, len(str(customers))))
    for number in range(1, customers + 1):
        draft.add_customer(number)
    return Portfolio(
        today,
        tuple(draft.customers),
        tuple(draft.contracts),
        tuple(draft.invoices),
        tuple(draft.payments),
    )


def seed_portfolio(session: Session, portfolio: Portfolio) -> DemoSummary:
    """Insert `portfolio` in bulk inside the caller's transaction, with one audit entry per
    invoice and per payment. Raises DemoAlreadySeeded if any customer exists."""
    existing = session.scalar(select(func.count()).select_from(Customer)) or 0
    if existing:
        raise DemoAlreadySeeded(existing)

    # New ids by external id, per target: each table links to the ones inserted before it.
    ids: dict[str, dict[str, int]] = {}
    ids["customer"] = _insert(session, Customer, portfolio.customers, ids)
    ids["contract"] = _insert(session, Contract, portfolio.contracts, ids)
    ids["invoice"] = _insert(session, Invoice, portfolio.invoices, ids)
    payment_ids = _insert(session, Payment, portfolio.payments, ids, key="source_ref")

    record(session, _audit_rows(portfolio, ids["invoice"], payment_ids))
    return summarize(portfolio)


def summarize(portfolio: Portfolio) -> DemoSummary:
    """Counts of what `portfolio` holds. A late customer has an open invoice due before today."""
    open_invoices = [i for i in portfolio.invoices if i.status == InvoiceStatus.OPEN]
    late = {i.customer_external_id for i in open_invoices if i.due_date < portfolio.today}
    statuses = Counter(contract.status for contract in portfolio.contracts)
    segments = Counter(customer.segment or ON_TIME for customer in portfolio.customers)
    keys = [ON_TIME if profile is None else profile.value for profile, _ in PROFILES]
    by_segment = {key: segments[key] for key in keys}
    return DemoSummary(
        customers=len(portfolio.customers),
        contracts=len(portfolio.contracts),
        invoices=len(portfolio.invoices),
        open_invoices=len(open_invoices),
        late_customers=len(late),
        suspended_contracts=statuses[ContractStatus.SUSPENDED],
        rescinded_contracts=statuses[ContractStatus.RESCINDED],
        payments=len(portfolio.payments),
        by_segment=by_segment,
    )


@dataclass
class _Draft:
    """The portfolio while it is drawn, customer after customer, from one random generator."""

    rng: random.Random
    today: date
    width: int
    customers: list[DemoCustomer] = field(default_factory=list)
    contracts: list[DemoContract] = field(default_factory=list)
    invoices: list[DemoInvoice] = field(default_factory=list)
    payments: list[DemoPayment] = field(default_factory=list)
    # Documents, phones and Pix ids drawn so far; their formats never overlap.
    taken: set[str] = field(default_factory=set)

    def add_customer(self, number: int) -> None:
        rng = self.rng
        profile = _pick(rng, PROFILES)
        history = demo_history.history(rng, profile, _pick(rng, DUE_DAYS), self.today)
        activated = demo_history.activation_day(rng, profile, history.dues[0], self.today)
        customer = self._customer(number, profile, activated)
        for index in range(1, 3 if rng.random() < SECOND_CONTRACT_SHARE else 2):
            self._bill(self._contract(customer, index, history), index, history)

    def _customer(self, number: int, profile: Segment | None, activated: date) -> DemoCustomer:
        rng = self.rng
        state, ddd = names.draw_area(rng)
        if rng.random() < BUSINESS_SHARE:
            name, email = names.draw_business(rng)
            kind, document = DocumentKind.CNPJ.value, self._unique(lambda: names.draw_cnpj(rng))
        else:
            name, email = names.draw_person(rng)
            kind, document = (
                DocumentKind.CPF.value,
                self._unique(lambda: names.draw_cpf(rng, state)),
            )
        created_at = _business_moment(rng, activated)
        customer = DemoCustomer(
            f"CUST-{number:0{self.width}d}",
            name,
            document,
            kind,
            self._unique(lambda: names.draw_mobile(rng, ddd)),
            email if rng.random() < EMAIL_SHARE else None,
            state,
            None if profile is None else profile.value,
            created_at,
            created_at,
        )
        self.customers.append(customer)
        return customer

    def _contract(
        self, customer: DemoCustomer, index: int, history: demo_history.History
    ) -> DemoContract:
        plan, fee = _pick(self.rng, PLANS)
        contract = DemoContract(
            f"CTR-{customer.external_id.removeprefix('CUST-')}-{index}",
            customer.external_id,
            plan,
            fee,
            demo_history.contract_status(history.suspended_on, history.rescinded_on),
            customer.created_at.date(),
            history.suspended_on,
            history.rescinded_on,
            customer.created_at,
        )
        self.contracts.append(contract)
        return contract

    def _bill(self, contract: DemoContract, index: int, history: demo_history.History) -> None:
        number = contract.customer_external_id.removeprefix("CUST-")
        # A second contract's invoices get a suffix so that external ids stay unique.
        suffix = "" if index == 1 else f"-{index}"
        for due, paid_day in zip(history.dues, history.paid_on, strict=True):
            created_at = datetime.combine(_issue_day(due), time(0), tzinfo=BUSINESS_TZ)
            paid_at = None if paid_day is None else _business_moment(self.rng, paid_day)
            invoice = DemoInvoice(
                f"INV-{number}-{due:%Y-%m}{suffix}",
                contract.customer_external_id,
                contract.external_id,
                contract.monthly_fee,
                due,
                f"{due:%Y-%m}",
                (InvoiceStatus.OPEN if paid_at is None else InvoiceStatus.PAID).value,
                paid_at,
                created_at,
                paid_at or created_at,
            )
            self.invoices.append(invoice)
            if paid_at is not None:
                self.payments.append(self._payment(invoice, paid_at))

    def _payment(self, invoice: DemoInvoice, paid_at: datetime) -> DemoPayment:
        rng = self.rng
        if rng.random() < PIX_SHARE:
            method, ref = "pix", self._unique(lambda: _end_to_end_id(rng, paid_at))
        else:
            # The running invoice count makes a boleto reference unique without a lookup.
            bank = rng.choice(names.BOLETO_BANKS)
            method, ref = "boleto", f"BOL{bank}{paid_at:%Y%m%d}{len(self.invoices):010d}"
        # Limitation: a late payment settles the principal only; the demo bills no late fee or
        # interest, so its payments always equal their invoice's amount.
        return DemoPayment(
            invoice.external_id,
            invoice.customer_external_id,
            invoice.amount,
            paid_at,
            method,
            ref,
            paid_at,
        )

    def _unique(self, draw: Callable[[], str]) -> str:
        value = draw()
        while value in self.taken:
            value = draw()
        self.taken.add(value)
        return value


def _issue_day(due: date) -> date:
    # Bills go out at least ten days before they are due, and never later than the 1st.
    return min(due.replace(day=1), due - timedelta(days=10))


def _business_moment(rng: random.Random, day: date) -> datetime:
    hour, minute, second = rng.randint(8, 19), rng.randrange(60), rng.randrange(60)
    return datetime.combine(day, time(hour, minute, second), tzinfo=BUSINESS_TZ)


def _end_to_end_id(rng: random.Random, paid_at: datetime) -> str:
    """A Pix endToEndId: "E", the payer's bank ISPB, the UTC minute, 11 alphanumerics."""
    tail = "".join(rng.choices(_ALPHANUMERICS, k=11))
    return f"E{rng.choice(names.PIX_ISPBS)}{paid_at.astimezone(UTC):%Y%m%d%H%M}{tail}"


def _pick(rng: random.Random, weighted: tuple[tuple[_T, int], ...]) -> _T:
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


def _insert(
    session: Session,
    model: type[SQLModel],
    rows: Iterable[Any],
    links: dict[str, dict[str, int]],
    key: str = "external_id",
) -> dict[str, int]:
    """Insert `rows` in one statement; returns the new ids by `key`."""
    values = [_values(row, links) for row in rows]
    if not values:
        return {}
    # A Core insert of the table: the ORM bulk path runs RETURNING row by row and is far slower.
    table: Table = inspect(model).local_table
    statement = insert(table).returning(table.c[key], table.c.id)
    return dict(session.execute(statement, values).all())


def _values(row: Any, links: dict[str, dict[str, int]]) -> dict[str, Any]:
    # A `<target>_external_id` field becomes the `<target>_id` foreign key.
    values: dict[str, Any] = {}
    for item in fields(row):
        value = getattr(row, item.name)
        target = item.name.removesuffix("_external_id")
        if target != item.name:
            values[f"{target}_id"] = links[target][value]
        else:
            values[item.name] = value
    return values


def _audit_rows(
    portfolio: Portfolio, invoice_ids: dict[str, int], payment_ids: dict[str, int]
) -> list[dict[str, Any]]:
    rows = [_invoice_created(i, invoice_ids[i.external_id]) for i in portfolio.invoices]
    rows += [_payment_recorded(p, payment_ids[p.source_ref]) for p in portfolio.payments]
    return rows


def _invoice_created(invoice: DemoInvoice, invoice_id: int) -> dict[str, Any]:
    details = {
        "external_id": invoice.external_id,
        "amount": format_json(invoice.amount),
        "due_date": invoice.due_date.isoformat(),
    }
    return audit_row(ACTOR, "invoice.created", "invoice", invoice_id, details, invoice.created_at)


def _payment_recorded(payment: DemoPayment, payment_id: int) -> dict[str, Any]:
    details = {
        "invoice": payment.invoice_external_id,
        "amount": format_json(payment.amount),
        "method": payment.method,
        "source_ref": payment.source_ref,
    }
    return audit_row(ACTOR, "payment.recorded", "payment", payment_id, details, payment.paid_at)

"""The synthetic demo portfolio: deterministic, realistic, and seeded in bulk on both databases."""

import re
from collections import Counter, defaultdict
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session, SQLModel, col

from billing.demo import (
    ON_TIME,
    DemoAlreadySeeded,
    Portfolio,
    generate_portfolio,
    seed_portfolio,
    summarize,
)
from billing.documents import parse_document
from billing.models import AuditEntry, Contract, Customer, Invoice, Payment
from billing.phones import normalize_phone
from quita.clock import BUSINESS_TZ
from quita.db import session_scope

TODAY = date(2026, 11, 18)
# Month ends, a leap-year February and the first days of a month move the edge cases around.
TODAYS = [TODAY, date(2026, 12, 3), date(2027, 1, 31), date(2028, 2, 29), date(2026, 3, 25)]
LATE_PROFILES = ("loyal", "disorganized", "cash_flow_trouble", "chronic")
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def portfolio() -> Portfolio:
    return generate_portfolio(300, seed=11, today=TODAY)


@pytest.fixture(scope="module")
def full_portfolio() -> Portfolio:
    return generate_portfolio(2000, seed=7, today=TODAY)


def test_the_same_seed_gives_the_same_portfolio() -> None:
    assert generate_portfolio(150, 3, TODAY) == generate_portfolio(150, 3, TODAY)


def test_a_different_seed_gives_a_different_portfolio() -> None:
    first, second = generate_portfolio(150, 3, TODAY), generate_portfolio(150, 4, TODAY)

    assert [c.name for c in first.customers] != [c.name for c in second.customers]
    assert first.invoices != second.invoices


def test_a_customer_count_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        generate_portfolio(0, 1, TODAY)


def test_every_document_is_a_valid_cpf_or_cnpj(portfolio: Portfolio) -> None:
    kinds = Counter(parse_document(c.document).kind for c in portfolio.customers)

    assert [(c.document_kind, c.document) for c in portfolio.customers] == [
        (parse_document(c.document).kind, parse_document(c.document).value)
        for c in portfolio.customers
    ]
    assert kinds["cnpj"] >= 1
    assert kinds["cpf"] > 0.9 * len(portfolio.customers)
    assert len({c.document for c in portfolio.customers}) == len(portfolio.customers)


def test_every_phone_normalises_to_itself(portfolio: Portfolio) -> None:
    phones = [c.phone for c in portfolio.customers]

    assert [normalize_phone(phone) for phone in phones] == phones
    assert all(phone.startswith("+55") and phone[5] == "9" for phone in phones)


def test_most_customers_live_in_the_home_state_and_many_have_an_email(
    full_portfolio: Portfolio,
) -> None:
    customers = full_portfolio.customers
    states = Counter(c.state for c in customers)
    emails = [c.email for c in customers if c.email is not None]

    assert states.most_common(1)[0][0] == "MG"
    assert 0.75 < states["MG"] / len(customers) < 0.95
    assert 0.65 < len(emails) / len(customers) < 0.75
    assert all(email.isascii() and email.count("@") == 1 for email in emails)


def test_external_ids_follow_the_documented_formats(portfolio: Portfolio) -> None:
    invoice_ids = [i.external_id for i in portfolio.invoices]

    assert portfolio.customers[0].external_id == "CUST-000001"
    assert all(re.fullmatch(r"CUST-\d{6}", c.external_id) for c in portfolio.customers)
    assert all(re.fullmatch(r"CTR-\d{6}-[12]", c.external_id) for c in portfolio.contracts)
    assert all(re.fullmatch(r"INV-\d{6}-\d{4}-\d{2}(-2)?", i) for i in invoice_ids)
    assert "INV-000001-2026-11" in invoice_ids
    assert len(set(invoice_ids)) == len(invoice_ids)


def test_each_late_profile_appears_in_a_small_portfolio() -> None:
    by_segment = summarize(generate_portfolio(200, 5, TODAY)).by_segment

    assert all(by_segment[profile] >= 1 for profile in LATE_PROFILES)
    assert by_segment["new_customer"] >= 1


def test_profile_shares_are_plausible_with_an_on_time_majority(full_portfolio: Portfolio) -> None:
    summary = summarize(full_portfolio)
    share = {key: count / summary.customers for key, count in summary.by_segment.items()}

    assert 0.65 <= share[ON_TIME] + share["loyal"] <= 0.80
    assert all(0.03 <= share[profile] <= 0.20 for profile in LATE_PROFILES)
    assert 0.03 <= share["new_customer"] <= 0.12
    assert 0.05 <= summary.late_customers / summary.customers <= 0.25


@pytest.mark.parametrize("today", TODAYS)
def test_no_bill_is_for_a_future_month_or_due_more_than_31_days_ahead(today: date) -> None:
    invoices = generate_portfolio(200, 2, today).invoices

    assert max(i.due_date for i in invoices) <= today + timedelta(days=31)
    assert max(i.reference_month for i in invoices) == f"{today:%Y-%m}"
    assert all(i.reference_month == f"{i.due_date:%Y-%m}" for i in invoices)


@pytest.mark.parametrize("today", TODAYS)
def test_a_bill_not_yet_due_is_open(today: date) -> None:
    invoices = generate_portfolio(200, 2, today).invoices

    assert {i.status for i in invoices if i.due_date >= today} <= {"open"}


@pytest.mark.parametrize("today", TODAYS)
def test_each_paid_bill_has_one_payment_of_its_amount_made_in_the_past(today: date) -> None:
    built = generate_portfolio(200, 9, today)
    payments = {p.invoice_external_id: p for p in built.payments}
    paid = [i for i in built.invoices if i.status == "paid"]

    assert len(payments) == len(built.payments) == len(paid)
    for invoice in paid:
        payment = payments[invoice.external_id]
        assert (payment.amount, payment.paid_at) == (invoice.amount, invoice.paid_at)
        assert invoice.created_at <= payment.paid_at
        assert payment.paid_at.date() < today
    assert all(i.paid_at is None for i in built.invoices if i.status == "open")


def test_payments_are_made_in_business_hours_by_pix_or_boleto(full_portfolio: Portfolio) -> None:
    payments = full_portfolio.payments
    methods = Counter(p.method for p in payments)

    assert all(p.paid_at.tzinfo is BUSINESS_TZ for p in payments)
    assert all(time(8) <= p.paid_at.time() < time(20) for p in payments)
    assert 0.55 < methods["pix"] / len(payments) < 0.65
    assert set(methods) == {"pix", "boleto"}
    assert len({p.source_ref for p in payments}) == len(payments)
    assert all(len(p.source_ref) == 32 for p in payments if p.method == "pix")


def test_cash_flow_trouble_leaves_the_last_bills_open_10_to_90_days(
    full_portfolio: Portfolio,
) -> None:
    oldest = _oldest_late_bill(full_portfolio, "cash_flow_trouble")

    assert oldest
    assert all(10 <= (TODAY - due).days <= 90 for due in oldest.values())


def test_suspensions_and_rescissions_respect_the_anatel_waiting_periods(
    full_portfolio: Portfolio,
) -> None:
    oldest = _oldest_late_bill(full_portfolio, "chronic")
    suspended = [c for c in full_portfolio.contracts if c.suspended_on is not None]
    rescinded = [c for c in suspended if c.rescinded_on is not None]
    last_due = _last_due_dates(full_portfolio)

    assert suspended
    assert rescinded
    for contract in suspended:
        assert contract.suspended_on is not None
        assert contract.suspended_on >= oldest[contract.customer_external_id] + timedelta(days=25)
        assert last_due[contract.external_id] <= contract.suspended_on
    for contract in rescinded:
        assert contract.rescinded_on is not None
        assert contract.suspended_on is not None
        assert contract.rescinded_on >= contract.suspended_on + timedelta(days=60)
        assert contract.status == "rescinded"


def test_new_customers_have_a_short_history_and_the_others_a_full_year(
    full_portfolio: Portfolio,
) -> None:
    months = defaultdict(set)
    for invoice in full_portfolio.invoices:
        months[invoice.customer_external_id].add(invoice.reference_month)
    segments = {c.external_id: c.segment for c in full_portfolio.customers}
    suspended = {c.customer_external_id for c in full_portfolio.contracts if c.suspended_on}

    for customer, seen in months.items():
        if segments[customer] == "new_customer":
            assert 1 <= len(seen) <= 3
        elif customer not in suspended:
            assert len(seen) == 12


def test_amounts_are_plan_prices_in_decimal_with_two_places(portfolio: Portfolio) -> None:
    amounts = {i.amount for i in portfolio.invoices} | {c.monthly_fee for c in portfolio.contracts}

    assert all(type(amount) is Decimal and amount == amount.quantize(CENT) for amount in amounts)
    assert min(amounts) == Decimal("79.90")
    assert max(amounts) == Decimal("199.90")


def test_seeding_writes_exactly_what_the_summary_counts(engine: Engine) -> None:
    built = generate_portfolio(200, 1, TODAY)
    with session_scope(engine) as session:
        summary = seed_portfolio(session, built)

    with Session(engine) as session:
        by_segment = select(Customer.segment, func.count()).group_by(Customer.segment)
        segments = {(key or ON_TIME): n for key, n in session.execute(by_segment)}
        assert summary.customers == _count(session, Customer) == 200
        assert summary.contracts == _count(session, Contract)
        assert summary.invoices == _count(session, Invoice)
        assert summary.open_invoices == _count(session, Invoice, Invoice.status == "open")
        assert summary.payments == _count(session, Payment)
        assert summary.payments == _count(session, Invoice, Invoice.status == "paid")
        assert summary.suspended_contracts == _count(
            session, Contract, Contract.status == "suspended"
        )
        assert summary.rescinded_contracts == _count(
            session, Contract, Contract.status == "rescinded"
        )
        assert summary.late_customers == _late_customers(session)
        assert _count(session, AuditEntry) == summary.invoices + summary.payments
    assert segments == {key: n for key, n in summary.by_segment.items() if n}


def test_seeding_a_ledger_that_has_customers_is_refused(engine: Engine) -> None:
    with session_scope(engine) as session:
        seed_portfolio(session, generate_portfolio(150, 1, TODAY))

    with session_scope(engine) as session, pytest.raises(DemoAlreadySeeded) as refused:
        seed_portfolio(session, generate_portfolio(150, 2, TODAY))

    assert refused.value.count == 150


def test_money_reads_back_as_decimal_with_two_places(engine: Engine) -> None:
    built = generate_portfolio(150, 4, TODAY)
    with session_scope(engine) as session:
        seed_portfolio(session, built)

    with Session(engine) as session:
        amounts = [
            *session.execute(select(Invoice.amount)).scalars(),
            *session.execute(select(Payment.amount)).scalars(),
            *session.execute(select(Contract.monthly_fee)).scalars(),
        ]
    assert all(type(a) is Decimal and a.as_tuple().exponent == -2 for a in amounts)
    assert sorted(amounts[: len(built.invoices)]) == sorted(i.amount for i in built.invoices)


def test_every_paid_invoice_in_the_database_has_its_payment(engine: Engine) -> None:
    with session_scope(engine) as session:
        seed_portfolio(session, generate_portfolio(200, 6, TODAY))

    with Session(engine) as session:
        unpaid = (
            select(func.count())
            .select_from(Invoice)
            .outerjoin(Payment, Payment.invoice_id == Invoice.id)
            .where(Invoice.status == "paid", col(Payment.id).is_(None))
        )
        assert session.scalar(unpaid) == 0


def test_suspended_customers_owe_invoices_open_for_more_than_25_days(engine: Engine) -> None:
    with session_scope(engine) as session:
        summary = seed_portfolio(session, generate_portfolio(300, 8, TODAY))

    with Session(engine) as session:
        suspended = session.execute(
            select(Contract.customer_id, Contract.suspended_on).where(
                Contract.status == "suspended"
            )
        ).all()
        for customer_id, suspended_on in suspended:
            oldest = session.scalar(
                select(func.min(Invoice.due_date)).where(
                    Invoice.customer_id == customer_id, Invoice.status == "open"
                )
            )
            assert oldest is not None
            assert oldest <= TODAY - timedelta(days=25)
            assert suspended_on >= oldest + timedelta(days=25)
    assert summary.suspended_contracts == len(suspended) >= 1


def test_audit_entries_record_each_invoice_and_payment(engine: Engine) -> None:
    built = generate_portfolio(150, 10, TODAY)
    with session_scope(engine) as session:
        seed_portfolio(session, built)

    with Session(engine) as session:
        entries = session.execute(select(AuditEntry)).scalars().all()
    actions = Counter(entry.action for entry in entries)
    first_invoice = next(e for e in entries if e.action == "invoice.created")

    assert actions == {
        "invoice.created": len(built.invoices),
        "payment.recorded": len(built.payments),
    }
    assert {entry.actor for entry in entries} == {"demo"}
    assert first_invoice.details["amount"] in {"79.90", "99.90", "129.90", "199.90"}
    assert date.fromisoformat(first_invoice.details["due_date"]) <= TODAY + timedelta(days=31)


def _oldest_late_bill(built: Portfolio, segment: str) -> dict[str, date]:
    """The oldest open, overdue due date of each customer of `segment` who has one."""
    customers = {c.external_id for c in built.customers if c.segment == segment}
    oldest: dict[str, date] = {}
    for invoice in built.invoices:
        customer = invoice.customer_external_id
        late = invoice.status == "open" and invoice.due_date < built.today
        if customer in customers and late:
            oldest[customer] = min(oldest.get(customer, invoice.due_date), invoice.due_date)
    return oldest


def _last_due_dates(built: Portfolio) -> dict[str, date]:
    last: dict[str, date] = {}
    for invoice in built.invoices:
        contract = invoice.contract_external_id
        last[contract] = max(last.get(contract, invoice.due_date), invoice.due_date)
    return last


def _count(session: Session, model: type[SQLModel], *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _late_customers(session: Session) -> int:
    late = select(func.count(func.distinct(Invoice.customer_id))).where(
        Invoice.status == "open", Invoice.due_date < TODAY
    )
    return int(session.scalar(late) or 0)

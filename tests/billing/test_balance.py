"""A customer's updated balance, computed by hand for late, on-time, weekend and holiday cases."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from billing.balance import CustomerNotFound, customer_balance
from billing.importer import import_files
from billing.models import Invoice, Payment
from quita.db import session_scope

DATA = Path(__file__).parent.parent / "data" / "import"


@pytest.fixture
def ledger(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        import_files(session, DATA / "customers.csv", DATA / "invoices.csv")
    return engine


def _balance(engine: Engine, customer: str, today: date):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return customer_balance(session, customer, today)


def test_late_invoices_carry_fee_and_pro_rata_interest(ledger: Engine) -> None:
    result = _balance(ledger, "C1", date(2026, 11, 20))

    # INV-2 is due Saturday 2026-10-10; Monday the 12th is a national holiday (Aparecida), so it
    # is due Tuesday the 13th: 38 days late, fee 99.90 x 2% = 1.998 -> 2.00, interest
    # 99.90 x 1% x 38/30 = 1.2654 -> 1.27. INV-1 is due Tuesday 2026-11-10: 10 days late,
    # fee 2.00, interest 99.90 x 1% x 10/30 = 0.333 -> 0.33.
    summary = [
        (
            item.external_id,
            item.charges.days_late,
            item.charges.late_fee,
            item.charges.interest,
            item.charges.total,
        )
        for item in result.invoices
    ]
    assert summary == [
        ("INV-2", 38, Decimal("2.00"), Decimal("1.27"), Decimal("103.17")),
        ("INV-1", 10, Decimal("2.00"), Decimal("0.33"), Decimal("102.23")),
    ]
    assert result.total == Decimal("205.40")


def test_an_invoice_not_yet_due_costs_its_principal(ledger: Engine) -> None:
    result = _balance(ledger, "C1", date(2026, 11, 10))

    # INV-2 is 28 days late: 99.90 + 2.00 + 99.90 x 1% x 28/30 (0.9324 -> 0.93) = 102.83.
    assert [item.charges.total for item in result.invoices] == [Decimal("102.83"), Decimal("99.90")]


def test_a_due_date_on_christmas_moves_to_the_next_business_day(ledger: Engine) -> None:
    # INV-3 is due Friday 2026-12-25; the next business day is Monday the 28th.
    on_monday = _balance(ledger, "C2", date(2026, 12, 28)).invoices[0].charges
    on_tuesday = _balance(ledger, "C2", date(2026, 12, 29)).invoices[0].charges

    assert (on_monday.effective_due_date, on_monday.total) == (
        date(2026, 12, 28),
        Decimal("150.00"),
    )
    # One day late: fee 150.00 x 2% = 3.00, interest 150.00 x 1% x 1/30 = 0.05.
    assert (on_tuesday.days_late, on_tuesday.total) == (1, Decimal("153.05"))


def test_paid_and_cancelled_invoices_are_not_in_the_balance(ledger: Engine) -> None:
    assert [item.external_id for item in _balance(ledger, "C2", date(2026, 12, 1)).invoices] == [
        "INV-3"
    ]
    assert _balance(ledger, "C3", date(2026, 12, 1)).invoices == ()


def test_balance_json_follows_the_contract(ledger: Engine) -> None:
    payload = _balance(ledger, "C1", date(2026, 11, 20)).to_json()

    assert payload["customer"] == "C1"
    assert payload["total"] == "205.40"
    assert payload["invoices"][0] == {
        "invoice": "INV-2",
        "reference_month": "2026-10",
        "due_date": "2026-10-10",
        "effective_due_date": "2026-10-13",
        "days_late": 38,
        "principal": "99.90",
        "late_fee": "2.00",
        "interest": "1.27",
        "total": "103.17",
        "paid": "0.00",
        "outstanding": "103.17",
    }


def test_an_unknown_customer_is_a_clear_error(ledger: Engine) -> None:
    with pytest.raises(CustomerNotFound, match="'NOPE'"):
        _balance(ledger, "NOPE", date(2026, 11, 20))


def test_a_partial_payment_reduces_what_is_outstanding(ledger: Engine) -> None:
    with session_scope(ledger) as session:
        invoice = session.exec(select(Invoice).where(Invoice.external_id == "INV-1")).one()
        session.add(
            Payment(
                invoice_id=invoice.id,
                customer_id=invoice.customer_id,
                amount=Decimal("50.00"),
                paid_at=datetime(2026, 11, 15, 12, tzinfo=UTC),
                method="pix",
                source_ref="E-partial-1",
            )
        )

    result = _balance(ledger, "C1", date(2026, 11, 20))

    inv1 = result.invoices[1]
    assert (inv1.charges.total, inv1.paid, inv1.outstanding) == (
        Decimal("102.23"),
        Decimal("50.00"),
        Decimal("52.23"),
    )
    assert result.total == Decimal("155.40")

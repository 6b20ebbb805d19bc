"""Segments computed for everyone at once in SQL: the facts from the ledger, the same answer as
policies.segments for each debtor, pins kept, and the reason staff read."""

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Engine
from sqlmodel import Session, select

from billing.models import Contract, Customer, Invoice, InvoiceStatus
from cadence.models import CustomerSegment
from cadence.segments import pin_segment, refresh_segments, segment_of, unpin_segment
from policies.segments import Segment, SegmentRules, assign_segment, facts_from
from quita.clock import BUSINESS_TZ
from quita.db import session_scope

TODAY = date(2026, 12, 3)
RULES = SegmentRules()


def _debtor(session: Session, number: int, activated: date) -> int:
    customer = Customer(
        external_id=f"S{number}",
        name="JOSE DA SILVA",
        document=f"{number:011d}",
        document_kind="cpf",
        phone=f"+55119877{number:05d}",
        state="SP",
    )
    session.add(customer)
    session.flush()
    assert customer.id is not None
    contract = Contract(
        customer_id=customer.id, plan="Fibra", monthly_fee=Decimal("99.90"), activated_on=activated
    )
    session.add(contract)
    session.flush()
    return customer.id


def _bill(session: Session, customer_id: int, due: date, paid_after: int | None) -> None:
    paid_at = None
    if paid_after is not None:
        paid_day = due + timedelta(paid_after)
        paid_at = datetime.combine(paid_day, time(14), tzinfo=BUSINESS_TZ).astimezone(UTC)
    session.add(
        Invoice(
            external_id=f"B{customer_id}-{due.isoformat()}",
            customer_id=customer_id,
            amount=Decimal("99.90"),
            due_date=due,
            reference_month=f"{due:%Y-%m}",
            status=InvoiceStatus.OPEN if paid_at is None else InvoiceStatus.PAID,
            paid_at=paid_at,
        )
    )


def _months_back(count: int) -> list[date]:
    return [date(2026, 12, 10) - timedelta(30 * back) for back in range(count, 0, -1)]


def test_the_facts_come_from_the_ledger_as_counted_by_hand(engine: Engine) -> None:
    with session_scope(engine) as session:
        customer_id = _debtor(session, 1, date(2023, 5, 2))
        for index, due in enumerate(_months_back(12)):
            late = 10 if index in (3, 6, 9) else -1
            _bill(session, customer_id, due, None if index == 11 else late)
        # The open one is due 2026-11-10: 23 days late on 2026-12-03.
        refresh_segments(session, TODAY, RULES)

    with Session(engine) as session:
        row = session.get_one(CustomerSegment, customer_id)
    assert row.tenure_days == (TODAY - date(2023, 5, 2)).days
    assert row.billed_12m == 12
    assert row.paid_late_12m == 3
    assert row.late_12m == 4
    assert row.max_open_days_late == 23
    assert abs(row.avg_days_late - 30 / 11) < 0.01
    assert row.segment == "disorganized"
    assert row.computed_on == TODAY


def test_sql_and_python_agree_on_every_debtor(engine: Engine) -> None:
    rng = random.Random(3)
    with session_scope(engine) as session:
        for number in range(1, 61):
            activated = TODAY - timedelta(rng.randint(10, 3000))
            customer_id = _debtor(session, number, activated)
            for due in _months_back(rng.randint(0, 12)):
                if due < activated:
                    continue
                delay = rng.choice([None, -3, 0, 1, 3, 5, 12, 25, 40])
                _bill(
                    session,
                    customer_id,
                    due,
                    delay if due + timedelta(delay or 0) < TODAY else None,
                )
        refresh_segments(session, TODAY, RULES)

    with Session(engine) as session:
        rows = session.exec(select(CustomerSegment)).all()
    assert len(rows) == 60
    seen = set()
    for row in rows:
        expected = assign_segment(facts_from(row.model_dump()), RULES)
        assert (row.segment, row.rule) == (expected.segment.value, expected.rule)
        seen.add(row.segment)
    assert len(seen) >= 4


def test_recomputing_the_same_day_does_nothing_and_pins_survive(engine: Engine) -> None:
    with session_scope(engine) as session:
        customer_id = _debtor(session, 1, date(2020, 1, 1))
        _bill(session, customer_id, date(2026, 11, 10), 0)
        pin_segment(session, customer_id, Segment.CHRONIC, staff="ana", reason="histórico no ERP")
        assert refresh_segments(session, TODAY, RULES) == 1
        assert refresh_segments(session, TODAY, RULES) == 0

    with Session(engine) as session:
        assignment = segment_of(session, customer_id, RULES)
    assert assignment.segment == Segment.CHRONIC
    assert "fixado pela equipe" in assignment.reason
    assert "histórico no ERP" in assignment.reason

    with session_scope(engine) as session:
        unpin_segment(session, customer_id)
    with Session(engine) as session:
        assert segment_of(session, customer_id, RULES).segment == Segment.NEW_CUSTOMER

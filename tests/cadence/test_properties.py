"""Properties of the cadence over random demo portfolios, start dates and tick times, checked
on what a simulated stretch left in the database: nothing sent outside contact hours or on a
Sunday or holiday, no suspension or rescission sooner than the law allows, no step twice,
nothing after a payment."""

import shutil
import tempfile
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from billing.demo import generate_portfolio, seed_portfolio
from billing.models import Contract, Customer, ErpAction, Invoice, OutboxMessage
from cadence.models import CadenceStep, StepStatus
from cadence.simulate import simulate
from policies.contact_hours import contact_calendar, is_allowed, zone_for
from quita import db
from quita.clock import BUSINESS_TZ
from quita.policy import Policy

POLICY = Policy()
CARRIED_OUT = (StepStatus.SENT, StepStatus.DONE)
SUNDAY = 6


@pytest.fixture(scope="module")
def migrated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated empty SQLite file, copied for each example (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("cadence") / "empty.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()
    return path


def _engine(template: Path, folder: str) -> Engine:
    target = Path(folder) / "quita.db"
    shutil.copy(template, target)
    return db.make_engine(f"sqlite:///{target}")


ticks = st.lists(
    st.times(min_value=time(0, 0), max_value=time(23, 0)).map(
        lambda t: t.replace(second=0, microsecond=0)
    ),
    min_size=1,
    max_size=3,
    unique=True,
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    customers=st.integers(min_value=4, max_value=14),
    seed=st.integers(min_value=0, max_value=10_000),
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 1)),
    days=st.integers(min_value=3, max_value=12),
    tick_times=ticks,
)
def test_the_cadence_keeps_the_rules_over_random_portfolios(
    migrated_file: Path,
    customers: int,
    seed: int,
    start: date,
    days: int,
    tick_times: list[time],
) -> None:
    folder = tempfile.mkdtemp(prefix="quita-cadence-")
    engine = _engine(migrated_file, folder)
    try:
        with db.session_scope(engine) as session:
            seed_portfolio(session, generate_portfolio(customers, seed, start))
        simulate(engine, POLICY, start=start, days=days, seed=seed, ticks=tick_times)
        with Session(engine) as session:
            _check_contact_hours(session)
            _check_each_step_once(session)
            _check_legal_clocks(session)
            _check_nothing_after_payment(session)
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def _carried_out(session: Session) -> list[tuple[CadenceStep, Customer]]:
    return list(
        session.exec(
            select(CadenceStep, Customer)
            .join(Customer, col(Customer.id) == col(CadenceStep.customer_id))
            .where(col(CadenceStep.status).in_(CARRIED_OUT))
        ).all()
    )


def _check_contact_hours(session: Session) -> None:
    rules = POLICY.cadence
    for step, customer in _carried_out(session):
        moment = _aware(step.executed_at)
        calendar = contact_calendar(customer.state)
        hours = rules.hours_for(customer.state)
        assert is_allowed(moment, customer.state, hours, calendar), (step.step, moment)
        local_day = moment.astimezone(zone_for(customer.state)).date()
        assert local_day.weekday() != SUNDAY
        assert not calendar.is_holiday(local_day)


def _check_each_step_once(session: Session) -> None:
    live = session.exec(select(CadenceStep).where(col(CadenceStep.revision) == 0)).all()
    keys = Counter((s.invoice_id, s.installment_id, s.step) for s in live)
    assert max(keys.values(), default=1) == 1
    carried = Counter((s.invoice_id, s.installment_id, s.step) for s, _ in _carried_out(session))
    assert max(carried.values(), default=1) == 1
    messages = session.exec(select(OutboxMessage)).all()
    assert len({m.idempotency_key for m in messages}) == len(messages)
    sent = [s for s, _ in _carried_out(session) if s.status == StepStatus.SENT]
    assert len({s.outbox_message_id for s in sent}) == len(sent)


def _check_legal_clocks(session: Session) -> None:
    anatel = POLICY.cadence.anatel
    for action in session.exec(select(ErpAction)).all():
        contract = session.get_one(Contract, action.contract_id)
        if action.action == "suspend":
            step = session.get_one(CadenceStep, action.details["cadence_step_id"])
            notice = session.exec(
                select(CadenceStep).where(
                    col(CadenceStep.invoice_id) == step.invoice_id,
                    col(CadenceStep.action) == "notice",
                    col(CadenceStep.revision) == 0,
                )
            ).one()
            assert notice.delivered_at is not None
            delivered_on = _aware(notice.delivered_at).astimezone(BUSINESS_TZ).date()
            suspended_on = _aware(action.requested_at).astimezone(BUSINESS_TZ).date()
            assert suspended_on >= delivered_on + timedelta(anatel.notice_to_suspension_days)
        if action.action == "rescind":
            assert contract.suspended_on is not None
            rescinded_on = _aware(action.requested_at).astimezone(BUSINESS_TZ).date()
            assert rescinded_on >= contract.suspended_on + timedelta(
                anatel.suspension_to_rescission_days
            )


def _check_nothing_after_payment(session: Session) -> None:
    for step, _ in _carried_out(session):
        if step.invoice_id is None:
            continue
        invoice = session.get_one(Invoice, step.invoice_id)
        if invoice.paid_at is not None:
            assert _aware(step.executed_at) < _aware(invoice.paid_at), (step.step, invoice.id)


def _aware(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

"""Several schedulers on one PostgreSQL database at once: each step written once, each message
queued once, each ERP action requested once."""

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col

from billing.demo import generate_portfolio, seed_portfolio
from billing.models import ErpAction, OutboxMessage
from cadence.dispatch import DispatchSettings, dispatch_due
from cadence.models import CadenceStep
from cadence.planner import PlanSettings, plan_day
from quita import db
from quita.db import session_scope
from tests.cadence.ledger import POLICY, at
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.postgres
DAY = date(2026, 12, 3)
RACERS = 4


@pytest.fixture
def pg_engine(postgres_admin: Engine) -> Iterator[Engine]:
    """A migrated PostgreSQL database with the demo ISP, its own pool large enough to race."""
    name = f"quita_race_{uuid.uuid4().hex[:12]}"
    with postgres_admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url, pool_size=RACERS + 2)
    try:
        db.upgrade(engine)
        with session_scope(engine) as session:
            seed_portfolio(session, generate_portfolio(400, 11, DAY))
        yield engine
    finally:
        engine.dispose()
        with postgres_admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _race(work: Callable[[], object]) -> list[BaseException]:
    barrier = threading.Barrier(RACERS)
    errors: list[BaseException] = []

    def racer() -> None:
        barrier.wait()
        try:
            work()
        except BaseException as error:  # collected and asserted on below
            errors.append(error)

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def _plan(engine: Engine) -> None:
    settings = PlanSettings(DAY, at(DAY, 6), POLICY.cadence, POLICY.calendar)
    with session_scope(engine) as session:
        plan_day(session, settings)


def _count(engine: Engine, query: object) -> int:
    with Session(engine) as session:
        return int(session.execute(query).scalar_one())  # type: ignore[call-overload]


def test_racing_planners_write_each_step_once(pg_engine: Engine) -> None:
    errors = _race(lambda: _plan(pg_engine))

    assert errors == []
    steps = _count(pg_engine, select(func.count()).select_from(CadenceStep))
    distinct = _count(
        pg_engine,
        select(func.count()).select_from(
            select(CadenceStep.invoice_id, CadenceStep.step).distinct().subquery()
        ),
    )
    assert steps > 20
    assert steps == distinct
    _plan(pg_engine)
    assert _count(pg_engine, select(func.count()).select_from(CadenceStep)) == steps


def test_racing_dispatchers_send_each_step_once(pg_engine: Engine) -> None:
    _plan(pg_engine)
    settings = DispatchSettings(at(DAY, 10), POLICY)

    errors = _race(lambda: dispatch_due(pg_engine, settings))

    assert errors == []
    sent = _count(
        pg_engine,
        select(func.count()).where(col(CadenceStep.status).in_(["sent", "done"])),
    )
    planned = _count(pg_engine, select(func.count()).where(col(CadenceStep.status) == "planned"))
    messages = _count(pg_engine, select(func.count()).select_from(OutboxMessage))
    keys = _count(pg_engine, select(func.count(func.distinct(OutboxMessage.idempotency_key))))
    acted = _count(
        pg_engine,
        select(func.count()).where(
            col(CadenceStep.action).is_not(None), col(CadenceStep.status) == "sent"
        ),
    )
    actions = _count(pg_engine, select(func.count()).select_from(ErpAction))
    assert planned == 0
    assert sent == messages == keys
    assert actions == acted


def test_whole_runs_racing_leave_the_same_result_as_one_run(pg_engine: Engine) -> None:
    from cadence.runner import run_cadence

    errors = _race(lambda: run_cadence(pg_engine, POLICY, now=at(DAY, 10)))

    assert errors == []
    with Session(pg_engine) as session:
        rows = session.execute(
            select(CadenceStep.invoice_id, CadenceStep.step, func.count())
            .group_by(CadenceStep.invoice_id, CadenceStep.step)
            .having(func.count() > 1)
        ).all()
        messages = session.execute(
            select(OutboxMessage.idempotency_key, func.count())
            .group_by(OutboxMessage.idempotency_key)
            .having(func.count() > 1)
        ).all()
    assert rows == []
    assert messages == []

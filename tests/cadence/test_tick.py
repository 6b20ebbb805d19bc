"""The periodic tick: plans at most once an hour per process, carries out what is due on
every tick, and can be turned off."""

import threading
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from cadence.tick import CadenceTicker, run_cadence_loop
from quita.settings import Settings
from tests.cadence.ledger import POLICY, add_debtor, add_invoice, at, outbox


class _Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def test_the_ticker_plans_hourly_and_dispatches_every_tick(engine: Engine) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, date(2026, 11, 26))
    clock = _Clock(at(date(2026, 12, 3), 6))
    ticker = CadenceTicker(engine, Settings(), POLICY, now=clock)

    first = ticker.tick()
    clock.moment += timedelta(minutes=30)
    second = ticker.tick()
    clock.moment += timedelta(hours=2)
    third = ticker.tick()

    assert first.plan is not None
    assert second.plan is None
    assert third.plan is not None
    assert first.dispatch is not None
    assert first.dispatch.sent == 0  # 06:00 is before contact hours
    assert third.dispatch is not None
    assert third.dispatch.sent == 1
    assert len(outbox(engine)) == 1


def test_a_zero_interval_turns_the_tick_off(engine: Engine) -> None:
    stop = threading.Event()
    loop = threading.Thread(
        target=run_cadence_loop, args=(engine, Settings(cadence_tick_seconds=0), stop)
    )

    loop.start()
    loop.join(timeout=10)  # returns at once; the timeout only guards against a hang

    assert not loop.is_alive()
    stop.set()
    assert outbox(engine) == []

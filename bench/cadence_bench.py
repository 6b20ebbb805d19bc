"""Benchmark: plan the cadence over 1,000,000 open invoices on PostgreSQL.

Usage: .venv/bin/python bench/cadence_bench.py [--invoices 1000000] [--database URL]

Without --database it creates (and drops) a scratch database on the test server
(QUITA_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test). The
portfolio is generated inside PostgreSQL with INSERT ... SELECT generate_series (four open
bills per customer, due from 115 days ago to 5 days ahead, 27 states, some contracts already
suspended or rescinded, one paid bill of history each), never as Python objects. Then:

1. segments: every debtor's segment recomputed from the ledger;
2. go-live day: the first plan, where every open bill gets its latest due step at once;
3. fifteen days later, after marking day one's steps sent and its notices delivered: the
   suspensions, rescissions and new due-date steps of that day;
4. the same day again: nothing new, only the checks.

Prints each phase's wall time and rows, and the peak memory of this process
(resource.getrusage). Planning runs in the database, so the process stays small.
"""

import argparse
import os
import resource
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from rich.console import Console
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from cadence.planner import PlanSettings, plan_day
from cadence.segments import refresh_segments
from quita import db
from quita.clock import BUSINESS_TZ
from quita.policy import Policy

console = Console()
ADMIN_URL = os.environ.get(
    "QUITA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TODAY = date(2026, 12, 3)
BILLS_PER_CUSTOMER = 4
STATES = "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO"

GENERATE = (
    # Customers: ids follow the series in a fresh database.
    """
    INSERT INTO customer (external_id, name, document, document_kind, phone, state,
                          created_at, updated_at)
    SELECT 'B' || g, 'Cliente ' || g, lpad(g::text, 11, '0'), 'cpf',
           '+55119' || lpad(g::text, 8, '0'),
           (string_to_array(:states, ' '))[1 + g % 27], now(), now()
    FROM generate_series(1, :customers) AS g
    """,
    # One contract each: 4% suspended 61-150 days ago, 1% rescinded 20 days ago.
    """
    INSERT INTO contract (customer_id, plan, monthly_fee, status, activated_on,
                          suspended_on, rescinded_on, created_at)
    SELECT c.id, 'Fibra 500 Mega', 9990,
           CASE WHEN c.id % 100 < 4 THEN 'suspended' WHEN c.id % 100 = 4 THEN 'rescinded'
                ELSE 'active' END,
           :today - (200 + c.id % 2000),
           CASE WHEN c.id % 100 <= 4 THEN :today - (61 + c.id % 90) END,
           CASE WHEN c.id % 100 = 4 THEN :today - 20 END,
           now()
    FROM customer AS c
    """,
    # Open bills: four per contract, due dates spread over 120 days.
    """
    INSERT INTO invoice (external_id, customer_id, contract_id, amount, due_date,
                         reference_month, status, created_at, updated_at)
    SELECT 'BI' || k.id || '-' || n, k.customer_id, k.id, 9990, due,
           to_char(due, 'YYYY-MM'), 'open', now(), now()
    FROM contract AS k
    CROSS JOIN generate_series(0, :bills - 1) AS n
    CROSS JOIN LATERAL (SELECT (:today + 5 - ((k.id * 7 + n * 30) % 120))::date AS due) AS d
    """,
    # History: one paid bill per customer, paid 0-20 days after its due date.
    """
    INSERT INTO invoice (external_id, customer_id, contract_id, amount, due_date,
                         reference_month, status, paid_at, created_at, updated_at)
    SELECT 'BH' || k.id, k.customer_id, k.id, 9990, :today - 150,
           to_char(:today - 150, 'YYYY-MM'), 'paid',
           (:today - 150 + (k.id % 21))::timestamptz + interval '15 hours', now(), now()
    FROM contract AS k
    """,
)
MARK_SENT = """
    UPDATE cadence_step
    SET status = 'sent', executed_at = send_at,
        delivered_at = CASE WHEN action = 'notice' THEN send_at + interval '1 minute' END
    WHERE status = 'planned'
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--database", help="URL of an EMPTY PostgreSQL database")
    args = parser.parse_args()
    with _database(args.database) as engine:
        db.upgrade(engine)
        customers = max(1, args.invoices // BILLS_PER_CUSTOMER)
        _phase("generate", lambda: _generate(engine, customers))
        policy = Policy()
        _phase("segments", lambda: _segments(engine, policy))
        _phase("plan go-live day", lambda: _plan(engine, policy, TODAY))
        _run(engine, MARK_SENT)
        _run(engine, "ANALYZE cadence_step")
        later = TODAY + timedelta(15)
        _phase("plan 15 days later", lambda: _plan(engine, policy, later))
        _phase("plan the same day again", lambda: _plan(engine, policy, later))
        open_bills = _scalar(engine, "SELECT count(*) FROM invoice WHERE status = 'open'")
        console.print(f"open invoices: {open_bills:,}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"peak memory of this process: {peak:,.0f} MiB")


def _generate(engine: Engine, customers: int) -> str:
    params = {"customers": customers, "today": TODAY, "states": STATES}
    params["bills"] = BILLS_PER_CUSTOMER
    with engine.begin() as connection:
        for statement in GENERATE:
            connection.execute(text(statement), params)
        connection.execute(text("ANALYZE"))
    return f"{customers:,} customers, {customers * (BILLS_PER_CUSTOMER + 1):,} invoices"


def _segments(engine: Engine, policy: Policy) -> str:
    with db.session_scope(engine) as session:
        written = refresh_segments(session, TODAY, policy.cadence.segments)
    return f"{written:,} debtors"


def _plan(engine: Engine, policy: Policy, day: date) -> str:
    now = datetime.combine(day, datetime.min.time(), tzinfo=BUSINESS_TZ) + timedelta(hours=6)
    settings = PlanSettings(day, now, policy.cadence, policy.calendar)
    with db.session_scope(engine) as session:
        result = plan_day(session, settings)
    return f"{result.written:,} steps written"


def _phase(name: str, work: "object") -> None:
    started = time.perf_counter()
    with console.status(name):
        detail = work()  # type: ignore[operator]
    console.print(f"{name}: {time.perf_counter() - started:.1f} s ({detail})")


def _run(engine: Engine, statement: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(statement))


def _scalar(engine: Engine, statement: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(statement)).scalar_one())


@contextmanager
def _database(url: str | None) -> Iterator[Engine]:
    if url is not None:
        engine = db.make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    name = f"quita_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = db.make_engine(make_url(ADMIN_URL).set(database=name).render_as_string(False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()

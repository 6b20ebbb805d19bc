"""The same Pix notice delivered many times at once settles once (PostgreSQL only)."""

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import Engine, create_engine
from sqlmodel import Session

from billing.instruments import EmbeddedPaymentProvider
from billing.models import AuditEntry, Invoice, OutboxMessage, Payment, PaymentNotice
from billing.notices import IncomingPayment
from billing.settlement import settle
from quita.db import session_scope
from quita.policy import Policy
from tests.billing.ledger_rows import TODAY, count, pix_notice, seed_ledger

DELIVERIES = 20
POLICY = Policy()


@pytest.fixture
def wide_engine(engine: Engine) -> Iterator[Engine]:
    """The migrated PostgreSQL database with a pool wide enough for every delivery at once."""
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent settlement needs PostgreSQL: SQLite serialises all writers")
    url = engine.url.render_as_string(hide_password=False)
    wide = create_engine(url, pool_size=DELIVERIES, max_overflow=0)
    yield wide
    wide.dispose()


def test_the_same_notice_delivered_twenty_times_at_once_settles_once(
    wide_engine: Engine,
) -> None:
    ledger = seed_ledger(wide_engine, suspended=True)
    with session_scope(wide_engine) as session:
        invoice = session.get(Invoice, ledger.invoice_id)
        assert invoice is not None
        charge = EmbeddedPaymentProvider(POLICY).create_pix_charge(session, invoice, TODAY)

    statuses = _deliver_at_once(wide_engine, pix_notice(charge.txid, charge.amount))

    assert statuses == {"settled": 1, "duplicate": DELIVERIES - 1}
    assert count(wide_engine, PaymentNotice) == 1
    assert count(wide_engine, Payment) == 1
    assert count(wide_engine, OutboxMessage) == 1
    assert count(wide_engine, AuditEntry, AuditEntry.action == "invoice.paid") == 1
    assert count(wide_engine, AuditEntry, AuditEntry.action == "contract.restored") == 1
    with Session(wide_engine) as session:
        paid = session.get(Invoice, ledger.invoice_id)
        assert paid is not None
        assert paid.status == "paid"


def test_an_unmatched_notice_delivered_twenty_times_at_once_is_stored_once(
    wide_engine: Engine,
) -> None:
    # No invoice row to lock here: only the unique source_ref stands between the deliveries.
    notice = pix_notice("cd1fe328c875481285a6f233ae41b662", Decimal("100.00"))

    statuses = _deliver_at_once(wide_engine, notice)

    assert statuses == {"unmatched": 1, "duplicate": DELIVERIES - 1}
    assert count(wide_engine, PaymentNotice) == 1
    assert count(wide_engine, AuditEntry) == 1


def _deliver_at_once(engine: Engine, notice: IncomingPayment) -> Counter[str]:
    """Settle `notice` from DELIVERIES threads, each in its own transaction, released together."""
    start = threading.Barrier(DELIVERIES)

    def deliver(_: int) -> str:
        with Session(engine) as session:
            session.connection()  # check out a connection before the race starts
            start.wait()
            result = settle(session, notice, POLICY, TODAY)
            session.commit()
            return result.status

    with ThreadPoolExecutor(max_workers=DELIVERIES) as pool:
        return Counter(pool.map(deliver, range(DELIVERIES)))

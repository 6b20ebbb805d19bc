"""Concurrent acceptances and payments of one agreement (PostgreSQL only)."""

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, create_engine
from sqlmodel import Session, select

from billing.agreements import AgreementError, create_agreement
from billing.models import Agreement, AuditEntry, Invoice, Payment
from billing.pix import txid_for
from billing.settlement import settle
from policies.renegotiation import Offer
from tests.billing.agreement_rows import POLICY, TODAY, installments, quote, seed_two_overdue
from tests.billing.ledger_rows import Ledger, count, pix_notice

RACERS = 8


@pytest.fixture
def wide_engine(engine: Engine) -> Iterator[Engine]:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent agreements need PostgreSQL: SQLite serialises all writers")
    wide = create_engine(engine.url.render_as_string(hide_password=False), pool_size=RACERS)
    yield wide
    wide.dispose()


def _accept(engine: Engine, ledger: Ledger, offer: Offer, key: str) -> str:
    with Session(engine) as session:
        invoices = list(session.exec(select(Invoice)).all())
        try:
            created = create_agreement(session, ledger.customer_id, offer, invoices, key, "agent")
        except AgreementError:
            session.rollback()
            return "refused"
        session.commit()
        return "created" if created.created else "repeated"


def test_the_same_acceptance_at_once_creates_one_agreement(wide_engine: Engine) -> None:
    ledger = seed_two_overdue(wide_engine)
    offer = quote(wide_engine, ledger, "P2")

    outcomes = _race(lambda _: _accept(wide_engine, ledger, offer, "wamid.SAME"))

    assert outcomes == {"created": 1, "repeated": RACERS - 1}
    assert count(wide_engine, Agreement) == 1
    assert count(wide_engine, AuditEntry, AuditEntry.action == "agreement.created") == 1


def test_different_acceptances_of_the_same_invoices_make_one_agreement(
    wide_engine: Engine,
) -> None:
    ledger = seed_two_overdue(wide_engine)
    offer = quote(wide_engine, ledger, "AV")

    outcomes = _race(lambda n: _accept(wide_engine, ledger, offer, f"wamid.{n}"))

    assert outcomes == {"created": 1, "refused": RACERS - 1}
    assert count(wide_engine, Agreement) == 1


def test_two_payers_of_one_installment_at_once_settle_it_once(wide_engine: Engine) -> None:
    ledger = seed_two_overdue(wide_engine)
    with Session(wide_engine) as session:
        invoices = list(session.exec(select(Invoice)).all())
        offer = quote(wide_engine, ledger, "P2")
        agreement = create_agreement(session, ledger.customer_id, offer, invoices, "k", "agent")
        session.commit()
    first = installments(wide_engine, agreement.agreement_id)[0]
    txid = txid_for("installment", first.id or 0)

    def pay(n: int) -> str:
        with Session(wide_engine) as session:
            result = settle(session, pix_notice(txid, first.amount, f"E{n}"), POLICY, TODAY)
            session.commit()
            return result.status

    outcomes = _race(pay)

    assert outcomes == {"settled": 1, "overpaid": RACERS - 1}
    assert count(wide_engine, Payment) == RACERS
    assert count(wide_engine, AuditEntry, AuditEntry.action == "installment.paid") == 1


def _race(work: Callable[[int], str]) -> Counter[str]:
    start = threading.Barrier(RACERS)

    def run(n: int) -> str:
        start.wait()
        return work(n)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        return Counter(pool.map(run, range(RACERS)))

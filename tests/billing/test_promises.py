"""Promises to pay on the ledger: registered once per message, the facts the rules read, and
kept or broken later."""

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Engine
from sqlmodel import Session

from billing.models import Invoice, Payment, PaymentPromise
from billing.promises import (
    pending_promise,
    promise_facts,
    register_promise,
    resolve_promises,
)
from policies.promises import PromiseRules, check_promise
from quita.db import session_scope
from tests.billing.ledger_rows import TODAY, count, seed_ledger

RULES = PromiseRules()
CREATED = datetime(2026, 11, 20, 14, tzinfo=UTC)
PROMISED = date(2026, 11, 25)


def _register(engine: Engine, customer_id: int, key: str = "wamid.P1") -> tuple[int, bool]:
    with session_scope(engine) as session:
        promise, created = register_promise(
            session,
            customer_id,
            PROMISED,
            date(2026, 11, 26),
            Decimal("102.23"),
            key,
            now=CREATED,
        )
        return promise.id or 0, created


def test_a_promise_is_registered_once_per_message(engine: Engine) -> None:
    ledger = seed_ledger(engine)

    first = _register(engine, ledger.customer_id)
    again = _register(engine, ledger.customer_id)

    assert first[1]
    assert not again[1]
    assert first[0] == again[0]
    assert count(engine, PaymentPromise) == 1


def test_a_pending_promise_shows_in_the_facts_and_refuses_another(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    _register(engine, ledger.customer_id)

    with Session(engine) as session:
        facts = promise_facts(session, ledger.customer_id, TODAY, RULES)

    assert facts.pending_promise_date == PROMISED
    assert facts.has_open_debt
    assert check_promise(date(2026, 11, 24), facts, RULES, TODAY).code == "promise_pending"


def test_a_payment_after_the_promise_keeps_it(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    promise_id, _ = _register(engine, ledger.customer_id)
    with session_scope(engine) as session:
        session.add(
            Payment(
                invoice_id=ledger.invoice_id,
                customer_id=ledger.customer_id,
                amount=Decimal("102.23"),
                paid_at=datetime(2026, 11, 24, 12, tzinfo=UTC),
                method="pix",
            )
        )

    with session_scope(engine) as session:
        changed = resolve_promises(session, ledger.customer_id, date(2026, 11, 24))

    assert [p.status for p in changed] == ["kept"]
    with Session(engine) as session:
        assert session.get_one(PaymentPromise, promise_id).status == "kept"


def test_an_unpaid_promise_breaks_after_its_pause_and_counts_against_the_next(
    engine: Engine,
) -> None:
    ledger = seed_ledger(engine)
    _register(engine, ledger.customer_id)

    with session_scope(engine) as session:
        during = resolve_promises(session, ledger.customer_id, date(2026, 11, 26))
        after = resolve_promises(session, ledger.customer_id, date(2026, 11, 27))

    assert during == []
    assert [p.status for p in after] == ["broken"]
    with Session(engine) as session:
        facts = promise_facts(session, ledger.customer_id, date(2026, 11, 27), RULES)
        assert pending_promise(session, ledger.customer_id, date(2026, 11, 27)) is None
    assert facts.broken_promises == 1
    assert facts.pending_promise_date is None


def test_a_customer_who_owes_nothing_has_no_open_debt(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    with session_scope(engine) as session:
        session.get_one(Invoice, ledger.invoice_id).status = "paid"

    with Session(engine) as session:
        facts = promise_facts(session, ledger.customer_id, TODAY, RULES)

    assert not facts.has_open_debt

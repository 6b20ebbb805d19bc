"""Whether reminders are paused, and why: dispute, payment report, promise, agreement."""

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlmodel import Session

from billing.disputes import close_dispute, open_dispute
from billing.pauses import PauseReason, active_pause, active_pauses
from billing.payment_reports import register_payment_report
from billing.promises import register_promise
from quita.db import session_scope
from tests.billing.agreement_rows import accept, installments, quote, seed_two_overdue
from tests.billing.ledger_rows import TODAY, seed_ledger


def _pauses(engine: Engine, customer_id: int, today: date = TODAY) -> list[tuple[str, date | None]]:
    with Session(engine) as session:
        return [(p.reason, p.until) for p in active_pauses(session, customer_id, today)]


def test_nothing_pauses_a_plain_debtor(engine: Engine) -> None:
    ledger = seed_ledger(engine)

    with Session(engine) as session:
        assert active_pause(session, ledger.customer_id, TODAY) is None


def test_each_record_pauses_with_its_reason_and_the_dispute_comes_first(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    with session_scope(engine) as session:
        register_promise(
            session,
            ledger.customer_id,
            date(2026, 11, 24),
            date(2026, 11, 25),
            Decimal("102.23"),
            "p",
        )
        register_payment_report(session, ledger.customer_id, "pix", date(2026, 11, 20), "r")
        dispute, _ = open_dispute(
            session,
            ledger.customer_id,
            "valor errado",
            date(2026, 12, 20),
            "d",
            invoice_id=ledger.invoice_id,
        )

    assert _pauses(engine, ledger.customer_id) == [
        (PauseReason.DISPUTE, None),
        (PauseReason.PAYMENT_REPORT, date(2026, 11, 20)),
        (PauseReason.PROMISE, date(2026, 11, 25)),
    ]
    with Session(engine) as session:
        first = active_pause(session, ledger.customer_id, TODAY)
    assert first is not None
    assert first.invoice_id == ledger.invoice_id

    with session_scope(engine) as session:
        close_dispute(session, dispute.id or 0, "staff:ana")
    assert _pauses(engine, ledger.customer_id, date(2026, 11, 21)) == [
        (PauseReason.PROMISE, date(2026, 11, 25))
    ]
    assert _pauses(engine, ledger.customer_id, date(2026, 11, 26)) == []


def test_an_agreement_pauses_until_its_next_installment_and_not_once_one_is_late(
    engine: Engine,
) -> None:
    ledger = seed_two_overdue(engine)
    agreement_id = accept(engine, ledger, quote(engine, ledger, "P2"))
    first, second = installments(engine, agreement_id)

    assert _pauses(engine, ledger.customer_id) == [(PauseReason.AGREEMENT, first.due_date)]
    assert _pauses(engine, ledger.customer_id, first.due_date) == [
        (PauseReason.AGREEMENT, first.due_date)
    ]
    late = date.fromordinal(first.due_date.toordinal() + 1)
    assert _pauses(engine, ledger.customer_id, late) == []
    assert second.due_date > first.due_date

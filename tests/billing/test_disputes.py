"""Disputes on the ledger: opened once per message, audited, answered, and the intervals
that stop the Anatel clocks."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from billing.disputes import (
    answer_dispute,
    close_dispute,
    dispute_facts,
    dispute_intervals,
    open_dispute,
)
from billing.errors import LedgerError
from billing.models import AuditEntry, Dispute
from policies.disputes import clock_deadline
from quita.db import session_scope
from tests.billing.ledger_rows import count, seed_ledger

OPENED = datetime(2026, 11, 20, 15, tzinfo=UTC)


def _open(engine: Engine, customer_id: int, invoice_id: int | None, key: str = "wamid.D1") -> int:
    with session_scope(engine) as session:
        dispute, _ = open_dispute(
            session,
            customer_id,
            "  não reconheço essa cobrança  ",
            date(2026, 12, 20),
            key,
            invoice_id=invoice_id,
            now=OPENED,
        )
        return dispute.id or 0


def test_a_dispute_is_opened_once_per_message_and_audited(engine: Engine) -> None:
    ledger = seed_ledger(engine)

    first = _open(engine, ledger.customer_id, ledger.invoice_id)
    again = _open(engine, ledger.customer_id, ledger.invoice_id)

    assert first == again
    assert count(engine, Dispute) == 1
    assert count(engine, AuditEntry, AuditEntry.action == "dispute.opened") == 1
    with Session(engine) as session:
        dispute = session.get_one(Dispute, first)
    assert (dispute.status, dispute.reason, dispute.answer_due) == (
        "open",
        "não reconheço essa cobrança",
        date(2026, 12, 20),
    )


def test_facts_find_an_open_dispute_of_the_invoice_or_the_account(engine: Engine) -> None:
    ledger = seed_ledger(engine, other_overdue=True)
    _open(engine, ledger.customer_id, ledger.invoice_id)

    with Session(engine) as session:
        same = dispute_facts(session, ledger.customer_id, ledger.invoice_id)
        other = dispute_facts(session, ledger.customer_id, ledger.other_invoice_id)

    assert same.open_dispute_answer_due == date(2026, 12, 20)
    assert other.open_dispute_answer_due is None

    _open(engine, ledger.customer_id, None, key="wamid.D2")
    with Session(engine) as session:
        covered = dispute_facts(session, ledger.customer_id, ledger.other_invoice_id)
    assert covered.open_dispute_answer_due == date(2026, 12, 20)


def test_answering_resumes_the_clock_and_closing_ends_it(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    dispute_id = _open(engine, ledger.customer_id, ledger.invoice_id)
    with Session(engine) as session:
        assert dispute_intervals(session, ledger.customer_id) == [(date(2026, 11, 20), None)]
    assert clock_deadline(date(2026, 11, 15), 15, [(date(2026, 11, 20), None)]) is None

    answered = datetime(2026, 11, 27, 13, tzinfo=UTC)
    with session_scope(engine) as session:
        answer_dispute(session, dispute_id, "A cobrança está correta.", "staff:ana", now=answered)
        with pytest.raises(LedgerError):
            answer_dispute(session, dispute_id, "again", "staff:ana")
        close_dispute(session, dispute_id, "staff:ana")

    with Session(engine) as session:
        intervals = dispute_intervals(session, ledger.customer_id)
        dispute = session.get_one(Dispute, dispute_id)
    assert intervals == [(date(2026, 11, 20), date(2026, 11, 27))]
    assert dispute.status == "closed"
    assert dispute.answer == "A cobrança está correta."
    assert clock_deadline(date(2026, 11, 15), 15, intervals) == date(2026, 12, 7)

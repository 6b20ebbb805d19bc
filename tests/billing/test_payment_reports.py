"""Payment reports ("já paguei") on the ledger: looking for the payment, registering once,
the receipt, and confirmation or expiry."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from billing.errors import LedgerError
from billing.models import Payment, PaymentReport
from billing.payment_reports import (
    attach_receipt,
    payment_report_facts,
    payments_since,
    register_payment_report,
    resolve_payment_reports,
    unmatched_notices_for,
)
from billing.settlement import settle
from policies.payment_reports import PaymentReportRules
from quita.db import session_scope
from quita.policy import Policy
from tests.billing.ledger_rows import TODAY, count, pix_notice, seed_ledger

RULES = PaymentReportRules()
REPORTED = datetime(2026, 11, 20, 14, tzinfo=UTC)


def _report(engine: Engine, customer_id: int, key: str = "wamid.R1") -> tuple[int, bool]:
    with session_scope(engine) as session:
        report, created = register_payment_report(
            session, customer_id, "boleto", date(2026, 11, 25), key, reported_at=REPORTED
        )
        return report.id or 0, created


def test_a_report_is_registered_once_and_pauses_until_its_date(engine: Engine) -> None:
    ledger = seed_ledger(engine)

    first = _report(engine, ledger.customer_id)
    again = _report(engine, ledger.customer_id)

    assert first[1]
    assert not again[1]
    assert first[0] == again[0]
    assert count(engine, PaymentReport) == 1
    with Session(engine) as session:
        facts = payment_report_facts(session, ledger.customer_id, TODAY, RULES)
    assert facts.pending_until == date(2026, 11, 25)


def test_the_first_receipt_attached_is_kept(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    report_id, _ = _report(engine, ledger.customer_id)

    with session_scope(engine) as session:
        attach_receipt(session, report_id, 41)
        report = attach_receipt(session, report_id, 42)
        assert report.receipt_media_id == 41
        with pytest.raises(LedgerError):
            attach_receipt(session, 999, 1)


def test_a_payment_recorded_after_the_report_confirms_it(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    report_id, _ = _report(engine, ledger.customer_id)
    with session_scope(engine) as session:
        session.add(
            Payment(
                invoice_id=ledger.invoice_id,
                customer_id=ledger.customer_id,
                amount=Decimal("102.23"),
                paid_at=REPORTED - timedelta(days=1),
                method="boleto",
                created_at=REPORTED + timedelta(hours=2),
            )
        )

    with session_scope(engine) as session:
        changed = resolve_payment_reports(session, ledger.customer_id, TODAY)

    assert [(r.id, r.status) for r in changed] == [(report_id, "confirmed")]


def test_a_report_without_payment_expires_unconfirmed_and_counts(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    _report(engine, ledger.customer_id)

    with session_scope(engine) as session:
        assert resolve_payment_reports(session, ledger.customer_id, date(2026, 11, 25)) == []
        changed = resolve_payment_reports(session, ledger.customer_id, date(2026, 11, 26))

    assert [r.status for r in changed] == ["unconfirmed"]
    with Session(engine) as session:
        facts = payment_report_facts(session, ledger.customer_id, date(2026, 11, 26), RULES)
    assert facts.unconfirmed_reports == 1
    assert facts.pending_until is None


def test_recent_payments_and_unmatched_notices_of_the_same_amount_are_found(
    engine: Engine,
) -> None:
    ledger = seed_ledger(engine)
    with session_scope(engine) as session:
        settle(session, pix_notice(None, Decimal("102.23"), "E-lost"), Policy(), TODAY)
        session.add(
            Payment(
                invoice_id=ledger.invoice_id,
                customer_id=ledger.customer_id,
                amount=Decimal("10.00"),
                paid_at=REPORTED,
                method="pix",
            )
        )

    since = REPORTED - timedelta(days=7)
    with Session(engine) as session:
        payments = payments_since(session, ledger.customer_id, since)
        candidates = unmatched_notices_for(session, [Decimal("102.23")], since)
        none = unmatched_notices_for(session, [Decimal("5.00")], since)

    assert [p.amount for p in payments] == [Decimal("10.00")]
    assert [n.source_ref for n in candidates] == ["E-lost"]
    assert none == []

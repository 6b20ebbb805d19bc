"""Agreements on the ledger: created once, invoices replaced and hidden from the balance,
audited; the facts offers are quoted on; cancelling and breaking."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from billing.agreements import (
    AgreementError,
    active_agreement,
    break_agreement,
    cancel_agreement,
    create_agreement,
)
from billing.balance import customer_balance
from billing.disputes import open_dispute
from billing.importer import import_files
from billing.installments import open_installments
from billing.models import (
    Agreement,
    AgreementInvoice,
    AuditEntry,
    Invoice,
    Payment,
)
from billing.renegotiation_facts import renegotiable_invoices, renegotiation_facts
from quita.db import session_scope
from tests.billing.agreement_rows import (
    NOW,
    POLICY,
    TODAY,
    accept,
    installments,
    invoice_statuses,
    quote,
    seed_two_overdue,
)
from tests.billing.ledger_rows import count


def _actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        query = select(col(AuditEntry.action)).order_by(col(AuditEntry.id))
        return list(session.exec(query).all())


def test_accepting_an_offer_replaces_the_invoices_by_installments(engine: Engine) -> None:
    ledger = seed_two_overdue(engine)
    offer = quote(engine, ledger, "P3")

    agreement_id = accept(engine, ledger, offer)

    assert invoice_statuses(engine) == {"INV-10": "renegotiated", "INV-11": "renegotiated"}
    rows = installments(engine, agreement_id)
    assert [(r.number, r.due_date, r.amount) for r in rows] == [
        (i.number, i.due_date, i.amount) for i in offer.installments
    ]
    assert sum(r.amount for r in rows) == offer.total
    with Session(engine) as session:
        agreement = session.get_one(Agreement, agreement_id)
        links = session.exec(select(AgreementInvoice)).all()
    assert (agreement.status, agreement.offer_id, agreement.total) == ("active", "P3", offer.total)
    assert agreement.discount_interest == offer.discount.interest
    assert agreement.terms["fingerprint"] == offer.fingerprint
    assert sum(link.amount for link in links) == offer.original_total
    assert _actions(engine) == [
        "invoice.renegotiated",
        "invoice.renegotiated",
        "agreement.created",
    ]


def test_renegotiated_invoices_leave_the_open_balance(engine: Engine) -> None:
    ledger = seed_two_overdue(engine)
    accept(engine, ledger, quote(engine, ledger, "AV"))

    with Session(engine) as session:
        balance = customer_balance(session, "C1", TODAY)
        remaining = renegotiable_invoices(session, ledger.customer_id, TODAY, POLICY)

    assert balance.invoices == ()
    assert balance.total == 0
    assert remaining == []


def test_accepting_twice_for_the_same_message_creates_one_agreement(engine: Engine) -> None:
    ledger = seed_two_overdue(engine)
    offer = quote(engine, ledger, "P2")
    first = accept(engine, ledger, offer)

    with session_scope(engine) as session:
        invoices = list(session.exec(select(Invoice)).all())
        again = create_agreement(
            session, ledger.customer_id, offer, invoices, "wamid.ACCEPT1", "agent"
        )

    assert (again.agreement_id, again.created) == (first, False)
    assert count(engine, Agreement) == 1
    assert len(installments(engine, first)) == 2
    assert _actions(engine).count("agreement.created") == 1


def test_an_invoice_paid_meanwhile_cannot_be_renegotiated(engine: Engine) -> None:
    ledger = seed_two_overdue(engine)
    offer = quote(engine, ledger, "AV")
    with session_scope(engine) as session:
        session.get_one(Invoice, ledger.invoice_id).status = "paid"

    with session_scope(engine) as session:
        invoices = list(session.exec(select(Invoice)).all())
        with pytest.raises(AgreementError, match="INV-11 is paid"):
            create_agreement(session, ledger.customer_id, offer, invoices, "k2", "agent")

    assert count(engine, Agreement) == 0


def test_invoices_other_than_the_offers_are_refused(engine: Engine) -> None:
    ledger = seed_two_overdue(engine)
    offer = quote(engine, ledger, "AV")

    with session_scope(engine) as session:
        one = [session.get_one(Invoice, ledger.invoice_id)]
        with pytest.raises(AgreementError, match="not the ones"):
            create_agreement(session, ledger.customer_id, offer, one, "k3", "agent")


def test_facts_take_partial_payments_from_interest_first_and_skip_disputed_invoices(
    engine: Engine,
) -> None:
    ledger = seed_two_overdue(engine)
    with session_scope(engine) as session:
        session.add(
            Payment(
                invoice_id=ledger.other_invoice_id,
                customer_id=ledger.customer_id,
                amount=Decimal("3.00"),
                paid_at=NOW,
                method="pix",
            )
        )

    with Session(engine) as session:
        facts = renegotiation_facts(session, ledger.customer_id, TODAY, POLICY)
    october = facts.items[0]
    # 38 days late: fee 2.00, interest 99.90 x 38/3000 = 1.27; 3.00 paid covers the interest
    # and 1.73 of the fee.
    assert (october.ref, october.days_late) == ("INV-10", 38)
    assert (october.interest, october.late_fee, october.principal) == (
        Decimal("0.00"),
        Decimal("0.27"),
        Decimal("99.90"),
    )
    assert facts.segment is None
    assert not facts.active_agreement

    with session_scope(engine) as session:
        open_dispute(
            session,
            ledger.customer_id,
            "não reconheço",
            date(2026, 12, 20),
            "d1",
            invoice_id=ledger.other_invoice_id,
        )
    with Session(engine) as session:
        refs = [
            i.ref for i in renegotiation_facts(session, ledger.customer_id, TODAY, POLICY).items
        ]
    assert refs == ["INV-11"]


def test_an_account_wide_dispute_leaves_nothing_to_renegotiate(engine: Engine) -> None:
    ledger = seed_two_overdue(engine)
    with session_scope(engine) as session:
        open_dispute(session, ledger.customer_id, "cobrança indevida", date(2026, 12, 20), "d2")

    with Session(engine) as session:
        assert renegotiable_invoices(session, ledger.customer_id, TODAY, POLICY) == []


def test_an_active_agreement_is_reported_in_the_facts(engine: Engine) -> None:
    ledger = seed_two_overdue(engine)
    accept(engine, ledger, quote(engine, ledger, "P2"))

    with Session(engine) as session:
        facts = renegotiation_facts(session, ledger.customer_id, TODAY, POLICY)
        agreement = active_agreement(session, ledger.customer_id)

    assert facts.active_agreement
    assert facts.items == ()
    assert agreement is not None
    assert agreement.offer_id == "P2"


def test_cancelling_an_unpaid_agreement_reopens_its_invoices(engine: Engine) -> None:
    ledger = seed_two_overdue(engine)
    agreement_id = accept(engine, ledger, quote(engine, ledger, "P2"))

    with session_scope(engine) as session:
        cancelled = cancel_agreement(session, agreement_id, "staff:ana", "created by mistake")
        again = cancel_agreement(session, agreement_id, "staff:ana", "twice")

    assert (cancelled, again) == (True, False)
    assert invoice_statuses(engine) == {"INV-10": "open", "INV-11": "open"}
    assert _actions(engine)[-3:] == ["agreement.cancelled", "invoice.reopened", "invoice.reopened"]


def test_an_agreement_with_payments_cannot_be_cancelled(engine: Engine) -> None:
    ledger = seed_two_overdue(engine)
    agreement_id = accept(engine, ledger, quote(engine, ledger, "P2"))
    first = installments(engine, agreement_id)[0]
    with session_scope(engine) as session:
        session.add(
            Payment(
                installment_id=first.id,
                customer_id=ledger.customer_id,
                amount=first.amount,
                paid_at=NOW,
                method="pix",
            )
        )

    with pytest.raises(AgreementError, match="has payments"), session_scope(engine) as session:
        cancel_agreement(session, agreement_id, "staff:ana", "changed mind")


def test_a_broken_agreement_keeps_its_installments_owed(engine: Engine) -> None:
    ledger = seed_two_overdue(engine)
    agreement_id = accept(engine, ledger, quote(engine, ledger, "P2"))
    later = datetime(2027, 1, 10, 12, tzinfo=UTC)

    with session_scope(engine) as session:
        assert break_agreement(session, agreement_id, "cadence", "installment 1 unpaid", now=later)

    with Session(engine) as session:
        agreement = session.get_one(Agreement, agreement_id)
        owed = open_installments(session, ledger.customer_id)
        facts = renegotiation_facts(session, ledger.customer_id, date(2027, 1, 11), POLICY)
    assert (agreement.status, agreement.closed_at) == ("broken", later)
    assert len(owed) == 2
    assert facts.broken_agreements == 1
    assert not facts.active_agreement
    assert invoice_statuses(engine)["INV-10"] == "renegotiated"


def test_a_reimport_does_not_reopen_a_renegotiated_invoice(engine: Engine, tmp_path: Path) -> None:
    ledger = seed_two_overdue(engine)
    accept(engine, ledger, quote(engine, ledger, "AV"))
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "external_id,name,document,phone,email,state,segment\n"
        "C1,MARIA DAS DORES SOUZA,529.982.247-25,+5531998765432,,MG,\n",
        encoding="utf-8",
    )
    invoices = tmp_path / "invoices.csv"
    invoices.write_text(
        "external_id,customer_external_id,amount,due_date,reference_month,status,paid_at\n"
        "INV-11,C1,99.90,2026-11-10,2026-11,open,\n",
        encoding="utf-8",
    )

    with session_scope(engine) as session:
        summary = import_files(session, customers, invoices)

    assert summary.warnings == [
        "invoice INV-11 is renegotiated in Quita; the file says open: kept renegotiated"
    ]
    assert invoice_statuses(engine)["INV-11"] == "renegotiated"


def test_the_agreement_records_when_it_was_made(engine: Engine) -> None:
    ledger = seed_two_overdue(engine)
    agreement_id = accept(engine, ledger, quote(engine, ledger, "AV"))

    with Session(engine) as session:
        agreement = session.get_one(Agreement, agreement_id)

    assert agreement.created_at == NOW
    assert agreement.created_at.tzinfo is not None
    assert agreement.created_at.utcoffset() == UTC.utcoffset(None)

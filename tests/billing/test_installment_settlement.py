"""Agreement installments are paid like invoices: a Pix charge or boleto of their own, settled
once, the agreement closed with its last one, the service restored, the debtor told."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from billing.agreements import cancel_agreement
from billing.instruments import (
    BoletoCharge,
    EmbeddedPaymentProvider,
    InstallmentNotPayable,
    PixCharge,
    installment_for_reference,
    installment_for_txid,
    invoice_for_txid,
)
from billing.models import (
    Agreement,
    AgreementInstallment,
    AuditEntry,
    Contract,
    Invoice,
    OutboxMessage,
    Payment,
    PaymentCharge,
    PaymentNotice,
)
from billing.notices import IncomingPayment, NoticeSource
from billing.pix import txid_for
from billing.settlement import SettlementResult, settle
from quita.db import session_scope
from tests.billing.agreement_rows import (
    POLICY,
    TODAY,
    accept,
    installments,
    quote,
    seed_two_overdue,
)
from tests.billing.ledger_rows import Ledger, count, pix_notice

KNOWN_AT = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)


def _agreement(
    engine: Engine, offer_id: str = "P2", *, suspended: bool = False
) -> tuple[Ledger, int]:
    ledger = seed_two_overdue(engine, suspended=suspended)
    return ledger, accept(engine, ledger, quote(engine, ledger, offer_id))


def _pix(engine: Engine, installment_id: int, today: date = TODAY) -> PixCharge:
    with session_scope(engine) as session:
        installment = session.get_one(AgreementInstallment, installment_id)
        return EmbeddedPaymentProvider(POLICY).create_installment_pix_charge(
            session, installment, today
        )


def _settle(engine: Engine, notice: IncomingPayment) -> SettlementResult:
    with session_scope(engine) as session:
        return settle(session, notice, POLICY, TODAY, now=KNOWN_AT)


def _get(engine: Engine, model: type, row_id: int | None):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.get(model, row_id)


def _actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(col(AuditEntry.action)).order_by(col(AuditEntry.id))))


def test_a_pix_charge_for_an_installment_names_it_in_the_txid(engine: Engine) -> None:
    _, agreement_id = _agreement(engine)
    first = installments(engine, agreement_id)[0]

    charge = _pix(engine, first.id or 0)
    again = _pix(engine, first.id or 0)

    assert (charge.installment_id, charge.invoice_id, charge.amount) == (
        first.id,
        None,
        first.amount,
    )
    assert installment_for_txid(charge.txid) == first.id
    assert invoice_for_txid(charge.txid) is None
    assert again == charge
    row = _get(engine, PaymentCharge, charge.charge_id)
    assert (row.installment_id, row.invoice_id) == (first.id, None)


def test_paying_the_installments_pix_settles_it_once_and_confirms(engine: Engine) -> None:
    ledger, agreement_id = _agreement(engine)
    first = installments(engine, agreement_id)[0]
    charge = _pix(engine, first.id or 0)
    notice = pix_notice(charge.txid, charge.amount)

    result = _settle(engine, notice)
    repeated = _settle(engine, notice)

    assert (result.status, result.installment_id, result.invoice_id) == ("settled", first.id, None)
    assert repeated.status == "duplicate"
    paid = installments(engine, agreement_id)[0]
    assert (paid.status, paid.paid_at) == ("paid", notice.paid_at)
    payment = _get(engine, Payment, result.payment_id)
    assert (payment.installment_id, payment.invoice_id, payment.customer_id) == (
        first.id,
        None,
        ledger.customer_id,
    )
    notice_row = _get(engine, PaymentNotice, result.notice_id)
    assert (notice_row.installment_id, notice_row.charge_id) == (first.id, charge.charge_id)
    message = _get(engine, OutboxMessage, result.message_id)
    assert "parcela 1 de 2 do seu acordo" in message.body
    second_due = installments(engine, agreement_id)[1].due_date.strftime("%d/%m/%Y")
    assert f"A próxima parcela vence em {second_due}" in message.body
    assert _actions(engine)[-3:] == [
        "payment_notice.received",
        "payment.recorded",
        "installment.paid",
    ]
    assert _get(engine, Agreement, agreement_id).status == "active"


def test_the_last_installment_pays_the_agreement(engine: Engine) -> None:
    _, agreement_id = _agreement(engine)
    first, second = installments(engine, agreement_id)
    _settle(engine, pix_notice(_pix(engine, first.id or 0).txid, first.amount, "E1"))

    result = _settle(engine, pix_notice(_pix(engine, second.id or 0).txid, second.amount, "E2"))

    agreement = _get(engine, Agreement, agreement_id)
    assert (agreement.status, agreement.closed_at) == ("paid", KNOWN_AT)
    assert "o seu acordo está quitado" in _get(engine, OutboxMessage, result.message_id).body
    assert _actions(engine)[-1] == "agreement.paid"


def test_a_second_payment_of_a_paid_installment_is_flagged(engine: Engine) -> None:
    _, agreement_id = _agreement(engine)
    first = installments(engine, agreement_id)[0]
    charge = _pix(engine, first.id or 0)
    _settle(engine, pix_notice(charge.txid, charge.amount, "E1"))

    result = _settle(engine, pix_notice(charge.txid, charge.amount, "E2"))

    assert result.status == "overpaid"
    assert count(engine, Payment) == 2
    assert "não está mais em aberto" in _get(engine, OutboxMessage, result.message_id).body


def test_an_underpaid_installment_stays_open_and_the_rest_settles_it(engine: Engine) -> None:
    _, agreement_id = _agreement(engine)
    first = installments(engine, agreement_id)[0]
    charge = _pix(engine, first.id or 0)

    short = _settle(engine, pix_notice(charge.txid, Decimal("50.00"), "E1"))
    rest = _pix(engine, first.id or 0)
    settled = _settle(engine, pix_notice(rest.txid, rest.amount, "E2"))

    assert short.status == "underpaid"
    assert "Ainda faltam" in _get(engine, OutboxMessage, short.message_id).body
    assert rest.amount == first.amount - Decimal("50.00")
    assert settled.status == "settled"
    assert installments(engine, agreement_id)[0].status == "paid"


def test_our_installment_txid_without_a_charge_row_settles_it(engine: Engine) -> None:
    _, agreement_id = _agreement(engine)
    first = installments(engine, agreement_id)[0]

    result = _settle(engine, pix_notice(txid_for("installment", first.id or 0), first.amount))

    assert (result.status, result.installment_id) == ("settled", first.id)


def test_paying_the_first_installment_restores_a_suspended_contract(engine: Engine) -> None:
    ledger, agreement_id = _agreement(engine, suspended=True)
    first = installments(engine, agreement_id)[0]

    result = _settle(engine, pix_notice(_pix(engine, first.id or 0).txid, first.amount))

    assert result.restore is not None
    assert result.restore.status == "done"
    assert _get(engine, Contract, ledger.contract_id).status == "active"
    assert "Sua internet já foi religada." in _get(engine, OutboxMessage, result.message_id).body


def test_a_boleto_for_an_installment_settles_it_by_its_barcode(engine: Engine) -> None:
    _, agreement_id = _agreement(engine)
    first = installments(engine, agreement_id)[0]
    with session_scope(engine) as session:
        installment = session.get_one(AgreementInstallment, first.id)
        slip: BoletoCharge = EmbeddedPaymentProvider(POLICY).issue_installment_boleto(
            session, installment, first.due_date, TODAY
        )
    notice = IncomingPayment(
        NoticeSource.BANK_RETURN,
        "bank-0001",
        slip.digitable_line,
        slip.amount,
        datetime(2026, 11, 21, 12, tzinfo=UTC),
    )

    result = _settle(engine, notice)

    assert installment_for_reference(slip.boleto.barcode) == first.id
    assert (result.status, result.installment_id) == ("settled", first.id)


def test_an_installment_of_a_cancelled_agreement_cannot_be_charged(engine: Engine) -> None:
    _, agreement_id = _agreement(engine)
    with session_scope(engine) as session:
        cancel_agreement(session, agreement_id, "staff:ana", "mistake")
    first = installments(engine, agreement_id)[0]

    with pytest.raises(InstallmentNotPayable, match="closed agreement"):
        _pix(engine, first.id or 0)


def test_paying_an_old_charge_of_a_renegotiated_invoice_is_held_for_staff(engine: Engine) -> None:
    ledger = seed_two_overdue(engine)
    with session_scope(engine) as session:
        invoice = session.get_one(Invoice, ledger.invoice_id)
        old = EmbeddedPaymentProvider(POLICY).create_pix_charge(session, invoice, TODAY)
    accept(engine, ledger, quote(engine, ledger, "AV"))

    result = _settle(engine, pix_notice(old.txid, old.amount))

    assert result.status == "overpaid"
    assert result.message_id is None
    assert _get(engine, Invoice, ledger.invoice_id).status == "renegotiated"
    notice = _get(engine, PaymentNotice, result.notice_id)
    assert "renegotiated" in (notice.note or "")

"""Settling payment notices: exactly once, mismatches flagged, effects on contract and outbox."""

import logging
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from billing.errors import InvalidValue
from billing.instruments import EmbeddedPaymentProvider, PixCharge
from billing.models import (
    AuditEntry,
    Contract,
    ErpAction,
    Invoice,
    OutboxMessage,
    Payment,
    PaymentNotice,
)
from billing.notices import IncomingPayment, NoticeSource
from billing.pix import txid_for
from billing.settlement import SettlementResult, settle
from policies.charges import updated_amount
from quita.db import session_scope
from quita.policy import Policy
from tests.billing.ledger_rows import (
    DUE,
    PHONE,
    PRINCIPAL,
    TODAY,
    Ledger,
    count,
    pix_notice,
    seed_ledger,
)

POLICY = Policy()
KNOWN_AT = datetime(2026, 11, 20, 13, 4, tzinfo=UTC)


def _pix_charge(engine: Engine, ledger: Ledger) -> PixCharge:
    with session_scope(engine) as session:
        invoice = session.get(Invoice, ledger.invoice_id)
        assert invoice is not None
        return EmbeddedPaymentProvider(POLICY).create_pix_charge(session, invoice, TODAY)


def _settle(engine: Engine, notice: IncomingPayment, today: date = TODAY) -> SettlementResult:
    with session_scope(engine) as session:
        return settle(session, notice, POLICY, today, now=KNOWN_AT)


def _get(engine: Engine, model: type, row_id: int | None):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.get(model, row_id)


def _one(engine: Engine, model: type):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.execute(select(model)).scalar_one()


def _actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        query = select(col(AuditEntry.action)).order_by(col(AuditEntry.id))
        return list(session.execute(query).scalars())


def test_an_exact_pix_payment_pays_the_invoice_and_queues_a_confirmation(
    engine: Engine,
) -> None:
    ledger = seed_ledger(engine)
    charge = _pix_charge(engine, ledger)

    result = _settle(engine, pix_notice(charge.txid, charge.amount))

    assert result.status == "settled"
    invoice = _get(engine, Invoice, ledger.invoice_id)
    assert invoice.status == "paid"
    assert invoice.paid_at == datetime(2026, 11, 20, 13, 3, 33, tzinfo=UTC)
    payment = _get(engine, Payment, result.payment_id)
    assert (payment.invoice_id, payment.amount, payment.method, payment.source_ref) == (
        ledger.invoice_id,
        charge.amount,
        "pix",
        "E18236120202611201303s0123456789",
    )
    notice = _one(engine, PaymentNotice)
    assert (notice.status, notice.invoice_id, notice.charge_id, notice.payment_id) == (
        "settled",
        ledger.invoice_id,
        charge.charge_id,
        result.payment_id,
    )
    assert _actions(engine) == ["payment_notice.received", "payment.recorded", "invoice.paid"]


def test_the_confirmation_is_warm_pt_br_with_the_amount_month_and_isp(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    charge = _pix_charge(engine, ledger)

    result = _settle(engine, pix_notice(charge.txid, charge.amount))

    message = _get(engine, OutboxMessage, result.message_id)
    amount = f"R$ {charge.amount}".replace(".", ",")
    assert (message.to, message.purpose, message.status) == (
        PHONE,
        "payment_confirmation",
        "pending",
    )
    assert message.body.startswith(f"Olá, Maria! Recebemos o seu pagamento de {amount}")
    for fact in ("novembro de 2026", "quitada", "Conecta Vale Internet Ltda", "12.345.678/0001-95"):
        assert fact in message.body
    assert message.idempotency_key == "payment_confirmation:pix_webhook:" + result.source_ref


def test_info_logs_name_the_payment_but_never_the_debtors_phone_or_cpf(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = seed_ledger(engine, suspended=True)
    charge = _pix_charge(engine, ledger)
    caplog.set_level(logging.INFO)

    _settle(engine, pix_notice(charge.txid, charge.amount))

    assert "payment notice settled" in caplog.text
    assert "contract restored" in caplog.text
    assert "+55 31 *****-5432" in caplog.text
    for secret in (PHONE, PHONE[1:], "52998224725", "MARIA"):
        assert secret not in caplog.text


def test_the_same_notice_again_is_a_duplicate_that_changes_nothing(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    charge = _pix_charge(engine, ledger)
    notice = pix_notice(charge.txid, charge.amount)
    _settle(engine, notice)
    before = [count(engine, model) for model in (PaymentNotice, Payment, OutboxMessage, AuditEntry)]

    again = _settle(engine, notice)

    assert again == SettlementResult("duplicate", notice.source_ref)
    after = [count(engine, model) for model in (PaymentNotice, Payment, OutboxMessage, AuditEntry)]
    assert after == before == [1, 1, 1, 3]


def test_a_payment_recorded_by_an_import_is_a_duplicate(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    notice = pix_notice(txid_for("invoice", ledger.invoice_id), Decimal("10.00"))
    imported = Payment(
        amount=Decimal("10.00"), paid_at=notice.paid_at, method="pix", source_ref=notice.source_ref
    )
    with session_scope(engine) as session:
        session.add(imported)

    assert _settle(engine, notice).status == "duplicate"
    assert count(engine, PaymentNotice) == 0


def test_an_underpayment_is_recorded_and_flagged_and_keeps_the_invoice_open(
    engine: Engine,
) -> None:
    ledger = seed_ledger(engine)
    charge = _pix_charge(engine, ledger)

    result = _settle(engine, pix_notice(charge.txid, Decimal("50.00")))

    assert result.status == "underpaid"
    assert _get(engine, Invoice, ledger.invoice_id).status == "open"
    assert _get(engine, Payment, result.payment_id).amount == Decimal("50.00")
    notice = _one(engine, PaymentNotice)
    missing = charge.amount - Decimal("50.00")
    assert notice.note == f"paid 50.00 of {charge.amount} due; {missing} missing"
    body = _get(engine, OutboxMessage, result.message_id).body
    assert f"Ainda faltam R$ {missing}".replace(".", ",") in body
    assert "invoice.paid" not in _actions(engine)


def test_the_rest_of_an_underpaid_charge_settles_the_invoice(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    charge = _pix_charge(engine, ledger)
    _settle(engine, pix_notice(charge.txid, Decimal("50.00"), end_to_end_id="E1"))

    rest = _settle(engine, pix_notice(charge.txid, charge.amount - Decimal("50.00")))

    assert rest.status == "settled"
    assert _get(engine, Invoice, ledger.invoice_id).status == "paid"
    assert count(engine, Payment, Payment.invoice_id == ledger.invoice_id) == 2


def test_an_overpayment_pays_the_invoice_and_is_flagged(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    charge = _pix_charge(engine, ledger)

    result = _settle(engine, pix_notice(charge.txid, charge.amount + Decimal("10.00")))

    assert result.status == "overpaid"
    assert _get(engine, Invoice, ledger.invoice_id).status == "paid"
    assert "10.00 more than" in _one(engine, PaymentNotice).note
    body = _get(engine, OutboxMessage, result.message_id).body
    assert "R$ 10,00 acima do devido" in body


def test_a_second_payer_of_a_paid_invoice_is_flagged_and_reopens_nothing(
    engine: Engine,
) -> None:
    ledger = seed_ledger(engine)
    charge = _pix_charge(engine, ledger)
    _settle(engine, pix_notice(charge.txid, charge.amount, end_to_end_id="E1"))
    first_paid_at = _get(engine, Invoice, ledger.invoice_id).paid_at

    second = _settle(engine, pix_notice(charge.txid, charge.amount, end_to_end_id="E2"))

    assert second.status == "overpaid"
    invoice = _get(engine, Invoice, ledger.invoice_id)
    assert (invoice.status, invoice.paid_at) == ("paid", first_paid_at)
    assert count(engine, Payment) == 2
    assert "already paid" in _get(engine, PaymentNotice, second.notice_id).note
    assert "que já estava paga" in _get(engine, OutboxMessage, second.message_id).body
    assert _actions(engine).count("invoice.paid") == 1


def test_an_unknown_txid_is_stored_for_review_and_changes_nothing_else(engine: Engine) -> None:
    seed_ledger(engine)
    notice = pix_notice("cd1fe328c875481285a6f233ae41b662", Decimal("100.00"))

    result = _settle(engine, notice)

    assert result.status == "unmatched"
    stored = _one(engine, PaymentNotice)
    assert (stored.status, stored.invoice_id, stored.payment_id, stored.raw) == (
        "unmatched",
        None,
        None,
        notice.raw,
    )
    assert "cd1fe328c875481285a6f233ae41b662" in stored.note
    assert [count(engine, Payment), count(engine, OutboxMessage)] == [0, 0]
    assert _actions(engine) == ["payment_notice.received"]
    assert _settle(engine, notice).status == "duplicate"


def test_our_txid_without_a_charge_row_is_matched_against_the_amount_due_that_day(
    engine: Engine,
) -> None:
    ledger = seed_ledger(engine)
    due = updated_amount(PRINCIPAL, DUE, TODAY).total

    result = _settle(engine, pix_notice(txid_for("invoice", ledger.invoice_id), due))

    assert (result.status, result.invoice_id) == ("settled", ledger.invoice_id)
    assert _one(engine, PaymentNotice).charge_id is None


def test_a_bank_return_of_a_second_copy_boleto_settles_by_its_digitable_line(
    engine: Engine,
) -> None:
    ledger = seed_ledger(engine)
    with session_scope(engine) as session:
        invoice = session.get(Invoice, ledger.invoice_id)
        assert invoice is not None
        slip = EmbeddedPaymentProvider(POLICY).issue_second_copy_boleto(
            session, invoice, date(2026, 11, 25), TODAY
        )
    notice = IncomingPayment(
        NoticeSource.BANK_RETURN,
        "RET-2026-11-24-000123",
        slip.digitable_line,
        slip.amount,
        datetime(2026, 11, 24, 15, tzinfo=UTC),
    )

    result = _settle(engine, notice)

    assert result.status == "settled"
    assert _get(engine, Payment, result.payment_id).method == "boleto"


def test_paying_a_suspended_contract_restores_it_and_records_the_erp_action(
    engine: Engine,
) -> None:
    ledger = seed_ledger(engine, suspended=True)
    charge = _pix_charge(engine, ledger)

    result = _settle(engine, pix_notice(charge.txid, charge.amount))

    contract = _get(engine, Contract, ledger.contract_id)
    assert (contract.status, contract.suspended_on) == ("active", None)
    action = _one(engine, ErpAction)
    assert (action.contract_id, action.action, action.status) == (
        ledger.contract_id,
        "restore",
        "done",
    )
    assert action.requested_at == KNOWN_AT
    assert action.done_at is not None
    assert action.details["deadline"] == "2026-11-21T13:04:00+00:00"
    assert result.restore is not None
    assert result.restore.action_id == action.id
    assert "contract.restored" in _actions(engine)
    assert "Sua internet já foi religada" in _get(engine, OutboxMessage, result.message_id).body


def test_a_contract_with_another_overdue_invoice_stays_suspended(engine: Engine) -> None:
    ledger = seed_ledger(engine, suspended=True, other_overdue=True)
    charge = _pix_charge(engine, ledger)

    result = _settle(engine, pix_notice(charge.txid, charge.amount))

    assert result.status == "settled"
    assert result.restore is None
    assert _get(engine, Contract, ledger.contract_id).status == "suspended"
    assert count(engine, ErpAction) == 0
    assert "religada" not in _get(engine, OutboxMessage, result.message_id).body


def test_an_underpaid_suspended_contract_stays_suspended(engine: Engine) -> None:
    ledger = seed_ledger(engine, suspended=True)
    charge = _pix_charge(engine, ledger)

    _settle(engine, pix_notice(charge.txid, Decimal("10.00")))

    assert _get(engine, Contract, ledger.contract_id).status == "suspended"


@pytest.mark.parametrize("amount", [Decimal("0.00"), Decimal("-1.00")])
def test_a_notice_without_a_positive_amount_is_refused(engine: Engine, amount: Decimal) -> None:
    with pytest.raises(InvalidValue, match="amount must be positive"):
        _settle(engine, pix_notice("X", amount))

"""Payment instruments of the embedded provider: Pix charges, second-copy boletos, txids."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from billing import boleto, pix
from billing.errors import InvalidValue
from billing.instruments import (
    EmbeddedPaymentProvider,
    InvoiceNotPayable,
    PaymentProvider,
    boleto_free_field,
    charge_reference,
    invoice_for_free_field,
    invoice_for_reference,
    invoice_for_txid,
    pix_txid,
)
from billing.models import Invoice, InvoiceStatus, Payment, PaymentCharge
from policies.charges import updated_amount
from quita.db import session_scope
from quita.policy import Policy, PolicyError, load_policy
from tests.billing.ledger_rows import DUE, PRINCIPAL, TODAY, count, seed_ledger

POLICY = Policy()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _provider() -> PaymentProvider:
    return EmbeddedPaymentProvider(POLICY)


def _invoice(session: Session, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    assert invoice is not None
    return invoice


def test_a_pix_charge_pays_the_isp_key_the_amount_updated_to_today(engine: Engine) -> None:
    ledger = seed_ledger(engine)

    with session_scope(engine) as session:
        charge = _provider().create_pix_charge(session, _invoice(session, ledger.invoice_id), TODAY)

    decoded = pix.decode(charge.payload)
    expected = updated_amount(PRINCIPAL, DUE, TODAY).total
    assert expected > PRINCIPAL
    assert (decoded.key, decoded.amount, decoded.txid) == ("12345678000195", expected, charge.txid)
    assert decoded.merchant_name == "Conecta Vale Internet Ltd"  # cut to 25 characters
    assert decoded.merchant_city == "Taubate"
    assert charge.amount == expected
    assert len(charge.txid) == 25
    assert invoice_for_txid(charge.txid) == ledger.invoice_id
    assert charge.qr_png().startswith(PNG_SIGNATURE)


def test_the_same_pix_charge_is_returned_on_the_same_day(engine: Engine) -> None:
    ledger = seed_ledger(engine)

    with session_scope(engine) as session:
        invoice = _invoice(session, ledger.invoice_id)
        first = _provider().create_pix_charge(session, invoice, TODAY)
    with session_scope(engine) as session:
        again = _provider().create_pix_charge(session, _invoice(session, ledger.invoice_id), TODAY)

    assert again == first
    assert count(engine, PaymentCharge) == 1


def test_a_pix_charge_on_another_day_gets_its_own_txid_for_the_same_invoice(
    engine: Engine,
) -> None:
    ledger = seed_ledger(engine)

    with session_scope(engine) as session:
        invoice = _invoice(session, ledger.invoice_id)
        today = _provider().create_pix_charge(session, invoice, TODAY)
        tomorrow = _provider().create_pix_charge(session, invoice, TODAY + timedelta(days=1))

    assert today.txid != tomorrow.txid
    assert tomorrow.amount > today.amount
    assert {invoice_for_txid(today.txid), invoice_for_txid(tomorrow.txid)} == {ledger.invoice_id}
    assert count(engine, PaymentCharge) == 2


def test_a_pix_charge_asks_only_for_what_is_left_after_a_partial_payment(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    paid_at = datetime(2026, 11, 18, 12, tzinfo=UTC)
    with session_scope(engine) as session:
        session.add(
            Payment(
                invoice_id=ledger.invoice_id,
                amount=Decimal("50.00"),
                paid_at=paid_at,
                method="pix",
                source_ref="E1",
            )
        )

    with session_scope(engine) as session:
        charge = _provider().create_pix_charge(session, _invoice(session, ledger.invoice_id), TODAY)

    assert charge.amount == updated_amount(PRINCIPAL, DUE, TODAY).total - Decimal("50.00")


def test_a_second_copy_boleto_parses_back_with_the_new_due_date_and_amount(
    engine: Engine,
) -> None:
    ledger = seed_ledger(engine)
    new_due = date(2026, 11, 25)

    with session_scope(engine) as session:
        invoice = _invoice(session, ledger.invoice_id)
        charge = _provider().issue_second_copy_boleto(session, invoice, new_due, TODAY)
        again = _provider().issue_second_copy_boleto(session, invoice, new_due, TODAY)

    parsed = boleto.parse(charge.digitable_line, TODAY)
    expected = updated_amount(PRINCIPAL, DUE, new_due).total
    assert (parsed.bank_code, parsed.due_date, parsed.amount) == ("001", new_due, expected)
    assert charge.amount == expected
    assert expected > updated_amount(PRINCIPAL, DUE, TODAY).total
    assert invoice_for_free_field(parsed.free_field) == ledger.invoice_id
    assert invoice_for_reference(charge.digitable_line) == ledger.invoice_id
    assert again == charge
    assert count(engine, PaymentCharge) == 1


def test_a_boleto_due_before_today_is_refused(engine: Engine) -> None:
    ledger = seed_ledger(engine)

    yesterday = TODAY - timedelta(days=1)

    with session_scope(engine) as session:
        invoice = _invoice(session, ledger.invoice_id)
        with pytest.raises(InvalidValue, match="before today"):
            _provider().issue_second_copy_boleto(session, invoice, yesterday, TODAY)


def test_no_instrument_is_issued_for_a_paid_invoice(engine: Engine) -> None:
    ledger = seed_ledger(engine)
    with session_scope(engine) as session:
        invoice = _invoice(session, ledger.invoice_id)
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = datetime(2026, 11, 19, tzinfo=UTC)

    with session_scope(engine) as session, pytest.raises(InvoiceNotPayable, match="paid"):
        _provider().create_pix_charge(session, _invoice(session, ledger.invoice_id), TODAY)


def test_txids_name_their_invoice_and_others_name_none() -> None:
    txid = pix_txid(42, TODAY, Decimal("103.92"))

    assert txid.startswith(pix.txid_for("invoice", 42))
    assert pix_txid(42, TODAY, Decimal("103.92")) == txid
    assert pix_txid(42, TODAY, Decimal("103.93")) != txid
    assert invoice_for_txid(txid) == 42
    assert invoice_for_txid(pix.txid_for("invoice", 42)) == 42
    assert invoice_for_txid(pix.txid_for("installment", 42)) is None
    assert invoice_for_txid("cd1fe328c875481285a6f233ae41b662") is None
    corrupted = txid[:10] + ("1" if txid[10] != "1" else "2") + txid[11:]
    assert invoice_for_txid(corrupted) is None


def test_boleto_free_fields_name_their_invoice_and_others_name_none() -> None:
    field = boleto_free_field(42)

    assert len(field) == 25
    assert invoice_for_free_field(field) == 42
    assert invoice_for_free_field("0" * 25) is None
    assert invoice_for_free_field(field[:-1] + str((int(field[-1]) + 1) % 10)) is None


def test_a_digitable_line_is_looked_up_by_its_barcode() -> None:
    slip = boleto.from_parts("001", TODAY, Decimal("10.00"), boleto_free_field(7))

    assert charge_reference(boleto.format_line(slip.digitable_line)) == slip.barcode
    assert charge_reference(f" {slip.barcode} ") == slip.barcode
    assert charge_reference("QINV0000000000079") == "QINV0000000000079"


def test_the_policy_file_sets_the_pix_key_city_and_bank(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(
        "isp:\n  name: Rede Sul\n  cnpj: '11222333000181'\n  city: Pelotas\n"
        "  pix_key: financeiro@redesul.example\n  bank_code: '341'\n",
        encoding="utf-8",
    )

    isp = load_policy(path).isp

    assert (isp.city, isp.pix_key, isp.bank_code) == (
        "Pelotas",
        "financeiro@redesul.example",
        "341",
    )


@pytest.mark.parametrize(
    ("isp", "message"),
    [
        ("pix_key: '12345678000100'", "isp.pix_key"),
        ("bank_code: '1'", "isp.bank_code"),
        ("agency: '1234'", "isp.agency: unknown key"),
    ],
)
def test_a_bad_isp_profile_is_refused_naming_the_key(
    tmp_path: Path, isp: str, message: str
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(f"isp:\n  {isp}\n", encoding="utf-8")

    with pytest.raises(PolicyError, match=message):
        load_policy(path)

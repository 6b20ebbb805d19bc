"""Payment instruments for an invoice or an agreement installment: Pix charges and boletos,
and the provider interface that issues them (the embedded default generates both locally)."""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from sqlalchemy import func
from sqlmodel import Session, select

from billing.boleto import LINE_LENGTH, Boleto, from_parts, line_to_barcode
from billing.claims import insert_once
from billing.errors import InvalidValue, LedgerError
from billing.models import (
    Agreement,
    AgreementInstallment,
    AgreementStatus,
    ChargeKind,
    InstallmentStatus,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentCharge,
)
from billing.pix import encode_static, parse_txid, qr_png, txid_for
from policies.charges import updated_amount
from quita.policy import Policy

TXID_BASE_LENGTH = 18  # what txid_for returns
TXID_SUFFIX_LENGTH = 7  # 18 + 7 = 25, the most a static Pix txid may hold
# Boleto free field of the embedded provider: "91" (Quita, invoice) or "92" (Quita, agreement
# installment), the id in 12 digits, 9 digits reserved for a bank agreement number, ISO 7064
# MOD 97-10 check digits.
BOLETO_LAYOUT = "91"
INSTALLMENT_BOLETO_LAYOUT = "92"
_BOLETO_RESERVED = "0" * 9
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class InvoiceNotPayable(LedgerError):
    """An instrument was asked for an invoice that is not open (paid or cancelled)."""


class InstallmentNotPayable(InvoiceNotPayable):
    """An instrument was asked for an installment already paid, or of a closed agreement."""


@dataclass(frozen=True)
class PixCharge:
    """A static Pix charge; `payload` is the copy-paste code, valid for `valid_on` only,
    because the amount grows with the days late."""

    charge_id: int
    invoice_id: int | None
    txid: str
    amount: Decimal
    payload: str
    valid_on: date
    installment_id: int | None = None

    def qr_png(self) -> bytes:
        """The payload as a QR code, PNG bytes, for sending as an image."""
        return qr_png(self.payload)


@dataclass(frozen=True)
class BoletoCharge:
    """A second-copy boleto with a new due date and the amount due on that day."""

    charge_id: int
    invoice_id: int | None
    amount: Decimal
    due_date: date
    boleto: Boleto
    installment_id: int | None = None

    @property
    def digitable_line(self) -> str:
        return self.boleto.digitable_line


class PaymentProvider(Protocol):
    """Issues the instruments a debtor pays with; a PSP, a bank or the ERP may stand behind it.

    Both calls record the charge in `payment_charge` inside the caller's transaction and are
    idempotent: the same invoice, day and amount give back the same charge.
    """

    def create_pix_charge(self, session: Session, invoice: Invoice, today: date) -> PixCharge: ...

    def issue_second_copy_boleto(
        self, session: Session, invoice: Invoice, new_due_date: date, today: date
    ) -> BoletoCharge: ...

    def create_installment_pix_charge(
        self, session: Session, installment: AgreementInstallment, today: date
    ) -> PixCharge: ...

    def issue_installment_boleto(
        self, session: Session, installment: AgreementInstallment, due_date: date, today: date
    ) -> BoletoCharge: ...


class EmbeddedPaymentProvider:
    """Generates instruments locally: a static BR Code paying the ISP's Pix key, and a boleto
    of the ISP's bank whose free field names the invoice.

    Limitation: the boleto is not registered with the bank, so a bank accepts it only where
    the ISP's agreement allows unregistered slips; real issuers implement PaymentProvider.
    """

    def __init__(self, policy: Policy) -> None:
        self._policy = policy

    def create_pix_charge(self, session: Session, invoice: Invoice, today: date) -> PixCharge:
        """A Pix charge for the amount due `today` (São Paulo date). Raises InvoiceNotPayable."""
        invoice_id = _payable_id(invoice)
        amount = amount_due(session, invoice, today, self._policy)
        isp = self._policy.isp
        txid = pix_txid(invoice_id, today, amount)
        payload = encode_static(isp.pix_key, isp.name, isp.city, amount, txid)
        row = _recorded(session, ChargeKind.PIX, txid, invoice_id, amount, payload, today)
        return PixCharge(_row_id(row), invoice_id, txid, amount, payload, today)

    def issue_second_copy_boleto(
        self, session: Session, invoice: Invoice, new_due_date: date, today: date
    ) -> BoletoCharge:
        """A boleto due `new_due_date` for the amount due on that day.

        Raises InvoiceNotPayable, and InvalidValue for a due date before `today`.
        """
        invoice_id = _payable_id(invoice)
        if new_due_date < today:
            raise InvalidValue(f"new due date {new_due_date} is before today ({today})")
        amount = amount_due(session, invoice, new_due_date, self._policy)
        free_field = boleto_free_field(invoice_id)
        boleto = from_parts(self._policy.isp.bank_code, new_due_date, amount, free_field)
        row = _recorded(
            session,
            ChargeKind.BOLETO,
            boleto.barcode,
            invoice_id,
            amount,
            boleto.digitable_line,
            new_due_date,
        )
        return BoletoCharge(_row_id(row), invoice_id, amount, new_due_date, boleto)

    def create_installment_pix_charge(
        self, session: Session, installment: AgreementInstallment, today: date
    ) -> PixCharge:
        """A Pix charge for what is left of `installment` (its amount does not grow when
        late). Raises InstallmentNotPayable."""
        installment_id = _payable_installment_id(session, installment)
        amount = installment_amount_due(session, installment)
        isp = self._policy.isp
        txid = pix_txid(installment_id, today, amount, kind="installment")
        payload = encode_static(isp.pix_key, isp.name, isp.city, amount, txid)
        row = _recorded(session, ChargeKind.PIX, txid, None, amount, payload, today, installment_id)
        return PixCharge(_row_id(row), None, txid, amount, payload, today, installment_id)

    def issue_installment_boleto(
        self, session: Session, installment: AgreementInstallment, due_date: date, today: date
    ) -> BoletoCharge:
        """A boleto due `due_date` for what is left of `installment`.

        Raises InstallmentNotPayable, and InvalidValue for a due date before `today`.
        """
        installment_id = _payable_installment_id(session, installment)
        if due_date < today:
            raise InvalidValue(f"due date {due_date} is before today ({today})")
        amount = installment_amount_due(session, installment)
        free_field = boleto_free_field(installment_id, INSTALLMENT_BOLETO_LAYOUT)
        boleto = from_parts(self._policy.isp.bank_code, due_date, amount, free_field)
        row = _recorded(
            session,
            ChargeKind.BOLETO,
            boleto.barcode,
            None,
            amount,
            boleto.digitable_line,
            due_date,
            installment_id,
        )
        return BoletoCharge(_row_id(row), None, amount, due_date, boleto, installment_id)


def amount_due(session: Session, invoice: Invoice, day: date, policy: Policy) -> Decimal:
    """What settles the open `invoice` on `day`; raises InvoiceNotPayable when nothing is left."""
    due = outstanding(session, invoice, day, policy)
    if due <= 0:
        raise InvoiceNotPayable(f"invoice {invoice.id} is open but nothing is left to pay")
    return due


def outstanding(session: Session, invoice: Invoice, day: date, policy: Policy) -> Decimal:
    """The invoice's updated amount on `day` less the payments recorded for it (may be <= 0).

    Limitation: late fee and interest keep running on the whole principal after a partial
    payment; a contract may say they run on the remainder only.
    """
    charges = updated_amount(invoice.amount, invoice.due_date, day, policy.charges, policy.calendar)
    received = session.exec(
        select(func.sum(Payment.amount)).where(Payment.invoice_id == invoice.id)
    ).one()
    return charges.total - (received or Decimal("0.00"))


def installment_amount_due(session: Session, installment: AgreementInstallment) -> Decimal:
    """What is left to pay of `installment`; raises InstallmentNotPayable when nothing is."""
    received = session.exec(
        select(func.sum(Payment.amount)).where(Payment.installment_id == installment.id)
    ).one()
    due = installment.amount - (received or Decimal("0.00"))
    if due <= 0:
        raise InstallmentNotPayable(f"installment {installment.id} has nothing left to pay")
    return due


def pix_txid(invoice_id: int, day: date, amount: Decimal, kind: str = "invoice") -> str:
    """The txid of the Pix charge for `invoice_id` (an installment id when `kind` is
    "installment") issued on `day` for `amount`: 25 characters.

    `txid_for(kind, id)` (18, with its own check digits) then 7 characters derived from
    the day and the amount, so each distinct charge has its own txid and the same charge
    gets the same one again.
    """
    digest = int.from_bytes(hashlib.sha256(f"{day.isoformat()}|{amount}".encode()).digest())
    suffix = ""
    for _ in range(TXID_SUFFIX_LENGTH):
        digest, index = divmod(digest, len(_BASE36))
        suffix += _BASE36[index]
    return txid_for(kind, invoice_id) + suffix


def invoice_for_txid(txid: str) -> int | None:
    """The invoice id a txid names (ours with or without the suffix), or None."""
    return _txid_target(txid, "invoice")


def installment_for_txid(txid: str) -> int | None:
    """The installment id a txid names (ours with or without the suffix), or None."""
    return _txid_target(txid, "installment")


def boleto_free_field(invoice_id: int, layout: str = BOLETO_LAYOUT) -> str:
    """The 25-digit free field of the embedded provider's boleto for `invoice_id` (or for an
    installment id, with `layout` INSTALLMENT_BOLETO_LAYOUT)."""
    if not 0 < invoice_id < 10**12:
        raise InvalidValue(f"invoice id {invoice_id} does not fit a boleto free field")
    body = f"{layout}{invoice_id:012d}{_BOLETO_RESERVED}"
    return f"{body}{98 - int(body + '00') % 97:02d}"


def invoice_for_free_field(free_field: str, layout: str = BOLETO_LAYOUT) -> int | None:
    """The id a free field from `boleto_free_field` with `layout` names, or None."""
    if len(free_field) != 25 or not free_field.isdigit() or not free_field.startswith(layout):
        return None
    if int(free_field) % 97 != 1:
        return None
    return int(free_field[2:14])


def invoice_for_reference(reference: str) -> int | None:
    """The invoice a notice's reference names by its own layout: a txid, a boleto barcode or
    digitable line of the embedded provider; None when it names none."""
    barcode = charge_reference(reference)
    if len(barcode) == 44 and barcode.isdigit():
        return invoice_for_free_field(barcode[19:])
    return invoice_for_txid(barcode)


def installment_for_reference(reference: str) -> int | None:
    """The agreement installment a notice's reference names by its own layout (an installment
    txid, or a boleto barcode or digitable line with layout "92"); None when it names none."""
    barcode = charge_reference(reference)
    if len(barcode) == 44 and barcode.isdigit():
        return invoice_for_free_field(barcode[19:], INSTALLMENT_BOLETO_LAYOUT)
    return installment_for_txid(barcode)


def charge_reference(reference: str) -> str:
    """`reference` as `payment_charge.reference` holds it: a digitable line, with or without
    its dots and spaces, becomes the barcode; anything else is only stripped."""
    text = reference.strip()
    digits = text.replace(".", "").replace(" ", "")
    if len(digits) != LINE_LENGTH or not digits.isdigit():
        return text
    try:
        return line_to_barcode(digits)
    except InvalidValue:
        return text


def _recorded(
    session: Session,
    kind: ChargeKind,
    reference: str,
    invoice_id: int | None,
    amount: Decimal,
    payload: str,
    due_date: date,
    installment_id: int | None = None,
) -> PaymentCharge:
    row = PaymentCharge(
        kind=kind,
        reference=reference,
        invoice_id=invoice_id,
        installment_id=installment_id,
        amount=amount,
        payload=payload,
        due_date=due_date,
    )
    insert_once(session, row, "reference")
    stored = session.exec(select(PaymentCharge).where(PaymentCharge.reference == reference)).one()
    expected = (invoice_id, installment_id, amount, kind)
    if (stored.invoice_id, stored.installment_id, stored.amount, stored.kind) != expected:
        raise LedgerError(f"charge reference {reference} is already used by another charge")
    return stored


def _payable_id(invoice: Invoice) -> int:
    if invoice.id is None:
        raise ValueError("the invoice has no id: flush it before issuing an instrument")
    if invoice.status != InvoiceStatus.OPEN:
        raise InvoiceNotPayable(f"invoice {invoice.id} is {invoice.status}, not open")
    return invoice.id


def _payable_installment_id(session: Session, installment: AgreementInstallment) -> int:
    if installment.id is None:
        raise ValueError("the installment has no id: flush it before issuing an instrument")
    if installment.status != InstallmentStatus.OPEN:
        raise InstallmentNotPayable(f"installment {installment.id} is {installment.status}")
    agreement = session.get(Agreement, installment.agreement_id)
    # A broken agreement's installments stay owed (see billing.agreements); a cancelled or
    # paid one has nothing left to collect.
    if agreement is None or agreement.status not in (
        AgreementStatus.ACTIVE,
        AgreementStatus.BROKEN,
    ):
        raise InstallmentNotPayable(f"installment {installment.id} belongs to a closed agreement")
    return installment.id


def _txid_target(txid: str, kind: str) -> int | None:
    if len(txid) not in (TXID_BASE_LENGTH, TXID_BASE_LENGTH + TXID_SUFFIX_LENGTH):
        return None
    parsed = parse_txid(txid[:TXID_BASE_LENGTH])
    if parsed is None or parsed[0] != kind:
        return None
    return parsed[1]


def _row_id(row: PaymentCharge) -> int:
    if row.id is None:
        raise RuntimeError("a stored charge has no id")
    return row.id

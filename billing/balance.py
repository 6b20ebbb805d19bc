"""A customer's updated balance: every open invoice with its charges on a given day."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from billing.errors import LedgerError
from billing.models import Customer, Invoice, InvoiceStatus, Payment
from billing.money import format_json
from policies.calendar import BusinessCalendar
from policies.charges import DEFAULT_RULES, ChargeRules, Charges, updated_amount


class CustomerNotFound(LedgerError):
    def __init__(self, external_id: str) -> None:
        super().__init__(f"no customer with external id {external_id!r}")


@dataclass(frozen=True)
class InvoiceBalance:
    external_id: str
    reference_month: str
    charges: Charges
    paid: Decimal = Decimal("0.00")

    @property
    def outstanding(self) -> Decimal:
        """The updated amount less partial payments already received (never below zero)."""
        return max(self.charges.total - self.paid, Decimal("0.00"))


@dataclass(frozen=True)
class CustomerBalance:
    customer_external_id: str
    customer_name: str
    today: date
    invoices: tuple[InvoiceBalance, ...]

    @property
    def total(self) -> Decimal:
        return sum((item.outstanding for item in self.invoices), Decimal("0.00"))

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON shape: money as strings with two decimals, dates ISO."""
        return {
            "customer": self.customer_external_id,
            "name": self.customer_name,
            "today": self.today.isoformat(),
            "invoices": [_invoice_json(item) for item in self.invoices],
            "total": format_json(self.total),
        }


def customer_balance(
    session: Session,
    customer_external_id: str,
    today: date,
    rules: ChargeRules = DEFAULT_RULES,
    calendar: BusinessCalendar | None = None,
) -> CustomerBalance:
    """Open invoices of the customer, oldest due first, updated to `today` (São Paulo date).

    Raises `CustomerNotFound` for an unknown external id.
    """
    customer = session.exec(
        select(Customer).where(Customer.external_id == customer_external_id)
    ).first()
    if customer is None:
        raise CustomerNotFound(customer_external_id)
    invoices = session.exec(
        select(Invoice)
        .where(Invoice.customer_id == customer.id, Invoice.status == InvoiceStatus.OPEN)
        .order_by(col(Invoice.due_date), col(Invoice.id))
    ).all()
    paid = _paid_by_invoice(session, [invoice.id for invoice in invoices if invoice.id])
    items = tuple(
        InvoiceBalance(
            invoice.external_id,
            invoice.reference_month,
            updated_amount(invoice.amount, invoice.due_date, today, rules, calendar),
            paid.get(invoice.id or 0, Decimal("0.00")),
        )
        for invoice in invoices
    )
    return CustomerBalance(customer.external_id, customer.name, today, items)


def _invoice_json(item: InvoiceBalance) -> dict[str, Any]:
    charges = item.charges
    return {
        "invoice": item.external_id,
        "reference_month": item.reference_month,
        "due_date": charges.original_due_date.isoformat(),
        "effective_due_date": charges.effective_due_date.isoformat(),
        "days_late": charges.days_late,
        "principal": format_json(charges.principal),
        "late_fee": format_json(charges.late_fee),
        "interest": format_json(charges.interest),
        "total": format_json(charges.total),
        "paid": format_json(item.paid),
        "outstanding": format_json(item.outstanding),
    }


def _paid_by_invoice(session: Session, invoice_ids: list[int]) -> dict[int, Decimal]:
    if not invoice_ids:
        return {}
    query = (
        select(Payment.invoice_id, func.sum(Payment.amount))
        .where(col(Payment.invoice_id).in_(invoice_ids))
        .group_by(col(Payment.invoice_id))
    )
    rows = session.exec(query).all()
    return {invoice_id: total for invoice_id, total in rows if invoice_id is not None}


def customers_with_overdue_invoices(session: Session, today: date, limit: int = 3) -> list[str]:
    """External ids of a few customers with an open invoice due before `today`."""
    query = (
        select(Customer.external_id)
        .join(Invoice, col(Invoice.customer_id) == col(Customer.id))
        .where(Invoice.status == InvoiceStatus.OPEN, col(Invoice.due_date) < today)
        .distinct()
        .order_by(col(Customer.external_id))
        .limit(limit)
    )
    return list(session.exec(query).all())

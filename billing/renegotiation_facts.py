"""What a renegotiation is quoted on: the customer's late invoices as owed today, their
segment, and their agreements, read from the ledger for policies.renegotiation."""

from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from billing.agreements import AgreementError, active_agreement
from billing.models import (
    Agreement,
    AgreementStatus,
    Customer,
    Dispute,
    DisputeStatus,
    Invoice,
    InvoiceStatus,
    Payment,
)
from policies.charges import updated_amount
from policies.offers import ZERO, DebtItem
from policies.renegotiation import RenegotiationFacts
from quita.clock import start_of_day
from quita.policy import Policy


def renegotiation_facts(
    session: Session, customer_id: int, today: date, policy: Policy
) -> RenegotiationFacts:
    """What policies.renegotiation needs about the customer on `today` (São Paulo date): one
    item per renegotiable invoice, the segment, any active agreement, and the agreements
    broken within the policy's lookback."""
    customer = _customer(session, customer_id)
    items = tuple(
        item
        for invoice in renegotiable_invoices(session, customer_id, today, policy)
        if (item := debt_item(session, invoice, today, policy)) is not None
    )
    since = start_of_day(today - timedelta(policy.renegotiation.broken_agreement_lookback_days))
    broken = session.exec(
        select(func.count())
        .select_from(Agreement)
        .where(
            Agreement.customer_id == customer_id,
            Agreement.status == AgreementStatus.BROKEN,
            col(Agreement.closed_at) >= since,
        )
    ).one()
    return RenegotiationFacts(
        items=items,
        segment=customer.segment,
        active_agreement=active_agreement(session, customer_id) is not None,
        broken_agreements=int(broken),
    )


def renegotiable_invoices(
    session: Session, customer_id: int, today: date, policy: Policy
) -> list[Invoice]:
    """Open invoices of the customer already late on `today`, oldest first, leaving out any
    under an open dispute; none at all while the whole account is disputed."""
    disputed = session.exec(
        select(Dispute.invoice_id).where(
            Dispute.customer_id == customer_id, Dispute.status == DisputeStatus.OPEN
        )
    ).all()
    if None in disputed:
        return []
    invoices = session.exec(
        select(Invoice)
        .where(Invoice.customer_id == customer_id, Invoice.status == InvoiceStatus.OPEN)
        .order_by(col(Invoice.due_date), col(Invoice.id))
    ).all()
    calendar = policy.calendar
    return [
        invoice
        for invoice in invoices
        if invoice.id not in disputed
        and calendar.next_business_day_on_or_after(invoice.due_date) < today
    ]


def debt_item(session: Session, invoice: Invoice, today: date, policy: Policy) -> DebtItem | None:
    """The invoice as owed on `today`, partial payments taken first from interest, then the
    late fee, then the principal (CC art. 354); None when nothing is left."""
    charges = updated_amount(
        invoice.amount, invoice.due_date, today, policy.charges, policy.calendar
    )
    paid = (
        session.exec(select(func.sum(Payment.amount)).where(Payment.invoice_id == invoice.id)).one()
        or ZERO
    )
    interest = max(charges.interest - paid, ZERO)
    paid -= charges.interest - interest
    late_fee = max(charges.late_fee - paid, ZERO)
    paid -= charges.late_fee - late_fee
    principal = max(charges.principal - paid, ZERO)
    if principal + late_fee + interest == ZERO:
        return None
    return DebtItem(invoice.external_id, principal, late_fee, interest, charges.days_late)


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise AgreementError(f"no customer with id {customer_id}")
    return customer

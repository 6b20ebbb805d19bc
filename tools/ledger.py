"""Ledger reads the tools share: the verified debtor, their open invoices, their balance."""

from sqlmodel import col, select

from billing.balance import CustomerBalance, customer_balance
from billing.models import Customer, Invoice, InvoiceStatus
from tools.base import Grounding, ToolContext


def debtor_id(ctx: ToolContext) -> int:
    """The verified debtor's id; debtor tools only run for one (the registry checks)."""
    if ctx.customer_id is None:
        raise LookupError("a debtor tool ran without a debtor")
    return ctx.customer_id


def debtor(ctx: ToolContext) -> Customer:
    return ctx.session.get_one(Customer, debtor_id(ctx))


def open_invoices(ctx: ToolContext, external_ids: list[str] | None = None) -> list[Invoice]:
    """The debtor's open invoices, oldest due first; only the named ones when given."""
    query = (
        select(Invoice)
        .where(col(Invoice.customer_id) == ctx.customer_id)
        .where(col(Invoice.status) == InvoiceStatus.OPEN)
        .order_by(col(Invoice.due_date), col(Invoice.id))
    )
    invoices = list(ctx.session.exec(query).all())
    if external_ids:
        wanted = set(external_ids)
        invoices = [invoice for invoice in invoices if invoice.external_id in wanted]
    return invoices


def balance(ctx: ToolContext) -> CustomerBalance:
    rules = ctx.policy.charges
    customer = debtor(ctx)
    return customer_balance(
        ctx.session, customer.external_id, ctx.today, rules, ctx.policy.calendar
    )


def balance_grounding(current: CustomerBalance) -> Grounding:
    grounding = Grounding(counts={len(current.invoices)})
    grounding.amounts.add(current.total)
    for item in current.invoices:
        charges = item.charges
        grounding.add_amounts(
            [charges.principal, charges.late_fee, charges.interest, charges.total, item.outstanding]
        )
        grounding.dates.update({charges.original_due_date, charges.effective_due_date})
        grounding.counts.add(charges.days_late)
        grounding.percents.update({charges.late_fee_percent, charges.interest_monthly_percent})
    return grounding

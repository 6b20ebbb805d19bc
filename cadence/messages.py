"""A cadence step's message: the facts it states (from the ledger, at send time), its pt-BR text
in the step's tone, and the values its purpose's approved template needs when the 24-hour
window has closed."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from billing.confirmations import first_name, month_name, signature
from billing.documents import Document
from billing.installments import installment_count, paid_on_installment
from billing.instruments import outstanding
from billing.models import AgreementInstallment, Customer, DocumentKind, Invoice
from cadence.models import CadenceStep
from policies.base import brl, day_month
from policies.cadence import Action, Anchor, CadenceRules, Step
from policies.cadence_texts import MessageKind, Tone, render, text_for
from quita.policy import Policy

# When a kind's next act has no step in the régua, the deadline it states is this far off.
_LISTING_FALLBACK_DAYS = 10


@dataclass(frozen=True)
class Bill:
    """What a step is about, as a debtor reads it: `amount` is what is owed today."""

    reference: str
    amount: Decimal
    due_date: date


@dataclass(frozen=True)
class Composed:
    body: str
    payload: dict[str, Any]


def invoice_bill(session: Session, invoice: Invoice, today: date, policy: Policy) -> Bill:
    """The invoice's updated amount today less what was paid on it."""
    return Bill(
        f"fatura de {month_name(invoice.reference_month)}",
        outstanding(session, invoice, today, policy),
        invoice.due_date,
    )


def installment_bill(session: Session, installment: AgreementInstallment) -> Bill:
    total = installment_count(session, installment.agreement_id)
    paid = paid_on_installment(session, _id(installment.id))
    return Bill(
        f"parcela {installment.number} de {total} do seu acordo",
        installment.amount - paid,
        installment.due_date,
    )


def compose(
    step: CadenceStep,
    spec: Step,
    customer: Customer,
    bill: Bill,
    today: date,
    policy: Policy,
) -> Composed:
    """The message body (text in the step's tone, signed with the ISP's name and CNPJ) and
    its outbox payload (`fallback_parameters` for the purpose's template, if it has one)."""
    values = _values(customer, bill, spec, today, policy.cadence)
    text = text_for(MessageKind(spec.message), Tone(step.tone), policy.cadence.texts)
    body = render(text, values, signature(policy.isp))
    payload: dict[str, Any] = {"cadence_step": step.step}
    template = policy.templates.for_purpose(step.purpose)
    if template is not None:
        isp = {
            "customer_first_name": values["first_name"],
            "isp_name": policy.isp.name,
            "isp_cnpj": Document("cnpj", policy.isp.cnpj).formatted,
        }
        sources = {**values, **isp}
        payload["fallback_parameters"] = [sources[name] for name in template.parameters]
    return Composed(body, payload)


def deadline_for(spec: Step, today: date, rules: CadenceRules) -> date:
    """The next legal date a message of this step states: the earliest suspension after a
    notice, rescission after a suspension, listing after a rescission."""
    following = {
        Action.NOTICE: (Anchor.NOTICE, rules.anatel.notice_to_suspension_days),
        Action.SUSPEND: (Anchor.SUSPENSION, rules.anatel.suspension_to_rescission_days),
        Action.RESCIND: (Anchor.RESCISSION, _LISTING_FALLBACK_DAYS),
    }
    if spec.action not in following:
        return today
    anchor, legal = following[spec.action]
    # The régua's own steps are never earlier than the law (CadenceRules checks it).
    acts = [s.days for s in rules.steps if s.anchor == anchor and s.action is not None]
    return today + timedelta(min(acts) if acts else legal)


def _values(
    customer: Customer, bill: Bill, spec: Step, today: date, rules: CadenceRules
) -> dict[str, str]:
    is_company = customer.document_kind == DocumentKind.CNPJ
    return {
        "first_name": customer.name if is_company else first_name(customer.name),
        "reference": bill.reference,
        "amount": brl(bill.amount),
        "due_date": day_month(bill.due_date),
        "days_late": str(max((today - bill.due_date).days, 0)),
        "deadline": day_month(deadline_for(spec, today, rules)),
        "rescission_days": str(rules.anatel.suspension_to_rescission_days),
        "restore_hours": str(rules.anatel.restore_hours),
    }


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("a stored row has no id")
    return value

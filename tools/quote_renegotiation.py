"""quote_renegotiation: the agreements the policy allows today, or why a request is refused.

Options come from policies.renegotiation (discount caps by days late and segment, never on
principal unless configured; installments count and minimum value; down payment; first due
date window). A request for other terms is checked against the same rules.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from billing.renegotiation_facts import renegotiation_facts
from policies.renegotiation import RequestedTerms, check_eligibility, check_offer, quote_options
from tools.base import ToolContext, ToolResult, ToolSpec, refused
from tools.ledger import debtor_id
from tools.offers import offer_grounding, offer_json

NAME = "quote_renegotiation"


def quote_renegotiation(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    customer_id = debtor_id(ctx)
    rules, calendar = ctx.policy.renegotiation, ctx.policy.calendar
    facts = renegotiation_facts(ctx.session, customer_id, ctx.today, ctx.policy)
    eligibility = check_eligibility(facts, rules)
    if not eligibility.ok:
        return refused(NAME, eligibility.code, eligibility.reason)
    offers = quote_options(facts, rules, ctx.today, calendar)
    data: dict[str, Any] = {"original_total": f"{facts.original_total}"}
    requested = _requested(args)
    if requested is not None:
        decision = check_offer(requested, facts, rules, ctx.today, calendar)
        if decision.ok and decision.offer is not None:
            offers = [decision.offer, *[o for o in offers if o.offer_id != decision.offer.offer_id]]
        else:
            data["requested_refusal"] = decision.reason
            data["requested_code"] = decision.code
    data["offers"] = [offer_json(offer) for offer in offers]
    grounding = offer_grounding(offers)
    grounding.amounts.add(facts.original_total)
    grounding.counts.add(rules.max_installments_for(facts.segment))
    grounding.amounts.add(rules.min_installment_value)
    return ToolResult(NAME, True, data=data, grounding=grounding)


def _requested(args: dict[str, Any]) -> RequestedTerms | None:
    """The debtor's own terms, when they named any."""
    terms: dict[str, Any] = {}
    if args.get("installments"):
        terms["installments"] = int(args["installments"])
    if args.get("first_due_date"):
        terms["first_due_date"] = _date(args["first_due_date"])
    for key in ("down_payment", "discount_percent", "total"):
        if args.get(key) not in (None, ""):
            terms[key] = _decimal(args[key])
    return RequestedTerms(**terms) if terms else None


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal("-1")  # refused by the policy as an invalid amount


SPEC = ToolSpec(
    name=NAME,
    description=(
        "Calcula as opções de acordo que a política permite hoje (à vista com desconto e "
        "parcelamentos). Se o devedor pedir condições próprias (parcelas, entrada, data da "
        "primeira parcela, desconto), informe-as: a ferramenta diz se cabem na política."
    ),
    parameters={
        "type": "object",
        "properties": {
            "installments": {"type": "integer", "minimum": 1},
            "down_payment": {"type": "string", "description": "Entrada em reais, ex. 50.00"},
            "first_due_date": {"type": "string", "description": "AAAA-MM-DD"},
            "discount_percent": {"type": "string", "description": "Desconto pedido, ex. 90"},
        },
        "additionalProperties": False,
    },
    run=quote_renegotiation,
)

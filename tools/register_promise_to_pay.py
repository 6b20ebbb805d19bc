"""register_promise_to_pay: the debtor promises to pay by a date inside the policy's window;
reminders pause until then."""

from datetime import date
from typing import Any

from billing.promises import promise_facts, register_promise
from policies.promises import check_promise, promised_date
from tools.base import ToolContext, ToolResult, ToolSpec, refused, refused_by
from tools.ledger import balance, debtor_id

NAME = "register_promise_to_pay"
ASK_DATE = "Para qual dia você consegue fazer o pagamento?"


def register_promise_to_pay(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    wanted = _date(args.get("date"))
    if wanted is None:
        return refused(NAME, "date_missing", ASK_DATE)
    customer_id = debtor_id(ctx)
    rules = ctx.policy.promises
    facts = promise_facts(ctx.session, customer_id, ctx.today, rules)
    decision = check_promise(wanted, facts, rules, ctx.today, ctx.policy.calendar)
    if not decision.ok or decision.until is None:
        return refused_by(NAME, decision)
    day = promised_date(wanted, rules, ctx.policy.calendar)
    amount = balance(ctx).total
    promise, _ = register_promise(
        ctx.session, customer_id, day, decision.until, amount, ctx.key(NAME), now=ctx.now
    )
    data = {
        "promise_id": promise.id,
        "date": day.isoformat(),
        "amount": f"{amount:.2f}",
        "reminders_paused_until": decision.until.isoformat(),
        "message": decision.reason,
    }
    result = ToolResult(NAME, True, data=data)
    result.grounding.dates.update({day, decision.until})
    result.grounding.amounts.add(amount)
    return result


def _date(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


SPEC = ToolSpec(
    name=NAME,
    description=(
        "Registra a promessa de pagamento do devedor para uma data (AAAA-MM-DD) dentro do "
        "prazo da política; os lembretes ficam pausados até lá."
    ),
    parameters={
        "type": "object",
        "properties": {"date": {"type": "string", "description": "AAAA-MM-DD"}},
        "required": ["date"],
        "additionalProperties": False,
    },
    run=register_promise_to_pay,
)

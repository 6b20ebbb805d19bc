"""request_trust_unblock: restore a suspended service for a few days, once per period, when
the policy allows it (desbloqueio de confiança)."""

from typing import Any

from sqlmodel import col, select

from billing.models import Contract, ContractStatus
from billing.trust_unblocks import grant_trust_unblock, trust_unblock_facts
from policies.trust_unblock import check_trust_unblock
from tools.base import ToolContext, ToolResult, ToolSpec, refused, refused_by

NAME = "request_trust_unblock"
NOT_SUSPENDED = "Sua conexão não está bloqueada por falta de pagamento, então não preciso liberar."


def request_trust_unblock(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    contract = _suspended_contract(ctx)
    if contract is None:
        return refused(NAME, "not_suspended", NOT_SUSPENDED)
    rules, calendar = ctx.policy.trust_unblock, ctx.policy.calendar
    facts = trust_unblock_facts(ctx.session, contract, ctx.today, calendar)
    decision = check_trust_unblock(facts, rules, ctx.today)
    if not decision.ok or decision.until is None:
        return refused_by(NAME, decision)
    grant = grant_trust_unblock(ctx.session, contract, decision.until, ctx.key(NAME), now=ctx.now)
    data = {
        "trust_unblock_id": grant.unblock.id,
        "until": decision.until.isoformat(),
        "message": decision.reason,
    }
    result = ToolResult(NAME, True, data=data)
    result.grounding.dates.add(decision.until)
    result.grounding.counts.add(rules.days)
    return result


def _suspended_contract(ctx: ToolContext) -> Contract | None:
    query = (
        select(Contract)
        .where(col(Contract.customer_id) == ctx.customer_id)
        .where(col(Contract.status) == ContractStatus.SUSPENDED)
        .order_by(col(Contract.id))
    )
    return ctx.session.exec(query).first()


SPEC = ToolSpec(
    name=NAME,
    description=(
        "Pede o desbloqueio de confiança: religa a internet suspensa por alguns dias, uma vez "
        "por período, quando a política permite."
    ),
    parameters={"type": "object", "properties": {}, "additionalProperties": False},
    run=request_trust_unblock,
)

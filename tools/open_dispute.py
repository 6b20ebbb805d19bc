"""open_dispute: the debtor contests a charge. Collection and the Anatel clocks pause, the
answer is due within the policy's deadline, and the thread goes to staff."""

from typing import Any

from billing.disputes import dispute_facts
from billing.disputes import open_dispute as record_dispute
from conversations.escalations import open_escalation
from conversations.models import Thread, ThreadOwner
from policies.disputes import check_dispute
from tools.base import ToolContext, ToolResult, ToolSpec, refused_by
from tools.ledger import debtor_id, open_invoices

NAME = "open_dispute"


def open_dispute(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    customer_id = debtor_id(ctx)
    reason = str(args.get("reason") or "")
    invoice_id = _invoice_id(ctx, args.get("invoice"))
    facts = dispute_facts(ctx.session, customer_id, invoice_id)
    decision = check_dispute(reason, facts, ctx.policy.disputes, ctx.today)
    if not decision.ok or decision.until is None:
        return refused_by(NAME, decision)
    dispute, _ = record_dispute(
        ctx.session,
        customer_id,
        reason,
        decision.until,
        ctx.key(NAME),
        invoice_id=invoice_id,
        now=ctx.now,
    )
    _hand_to_staff(ctx, reason)
    data = {
        "dispute_id": dispute.id,
        "answer_due": decision.until.isoformat(),
        "message": decision.reason,
    }
    result = ToolResult(NAME, True, data=data)
    result.grounding.dates.add(decision.until)
    result.grounding.counts.add(ctx.policy.disputes.answer_days)
    return result


def _invoice_id(ctx: ToolContext, external_id: object) -> int | None:
    if not external_id:
        return None
    found = open_invoices(ctx, [str(external_id)])
    return found[0].id if found else None


def _hand_to_staff(ctx: ToolContext, reason: str) -> None:
    thread: Thread = ctx.extras["thread"]
    thread.owner = ThreadOwner.STAFF
    ctx.session.add(thread)
    open_escalation(
        ctx.session,
        wa_id=ctx.wa_id,
        customer_id=ctx.customer_id,
        reason="dispute",
        summary=reason[:1000],
        idempotency_key=ctx.key(NAME, "escalation"),
    )


SPEC = ToolSpec(
    name=NAME,
    description=(
        "Registra a contestação de uma cobrança (valor errado, serviço cancelado, não "
        "reconhece a dívida). A cobrança fica suspensa e a conversa vai para a equipe."
    ),
    parameters={
        "type": "object",
        "properties": {
            "reason": {"type": "string", "description": "O que o devedor contesta."},
            "invoice": {"type": "string", "description": "Código da fatura (opcional)."},
        },
        "required": ["reason"],
        "additionalProperties": False,
    },
    run=open_dispute,
)

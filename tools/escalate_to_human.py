"""escalate_to_human: hand the thread to the ISP's staff, with the reason and a summary."""

from typing import Any

from conversations.escalations import open_escalation
from conversations.models import Thread, ThreadOwner
from tools.base import ToolContext, ToolResult, ToolSpec

NAME = "escalate_to_human"
REASONS = (
    "debtor_asked",
    "identity_failed",
    "dispute",
    "out_of_policy",
    "abuse",
    "not_understood",
    "knowledge_gap",
    "other",
)


def escalate_to_human(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    reason = str(args.get("reason") or "debtor_asked")
    if reason not in REASONS:
        reason = "other"
    summary = str(args.get("summary") or "")[:1000]
    thread: Thread = ctx.extras["thread"]
    thread.owner = ThreadOwner.STAFF
    ctx.session.add(thread)
    escalation_id = open_escalation(
        ctx.session,
        wa_id=ctx.wa_id,
        customer_id=ctx.customer_id,
        reason=reason,
        summary=summary,
        idempotency_key=ctx.key(NAME),
    )
    return ToolResult(NAME, True, data={"reason": reason, "escalation_id": escalation_id})


SPEC = ToolSpec(
    name=NAME,
    description=(
        "Passa a conversa para um atendente humano da equipe de cobrança. Use quando o "
        "devedor pedir uma pessoa, contestar a cobrança, pedir algo fora da política, ou "
        "quando você não souber responder."
    ),
    parameters={
        "type": "object",
        "properties": {
            "reason": {"type": "string", "enum": list(REASONS)},
            "summary": {"type": "string", "description": "Resumo para o atendente."},
        },
        "required": ["reason"],
        "additionalProperties": False,
    },
    run=escalate_to_human,
    needs_verified_debtor=False,
)

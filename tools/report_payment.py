"""report_payment: "já paguei". A payment on the ledger is confirmed; otherwise the report is
recorded, reminders pause for the clearing period, and the receipt is asked for (or kept,
when the debtor sent it)."""

from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from billing.payment_reports import (
    attach_receipt,
    payment_report_facts,
    payments_since,
    register_payment_report,
)
from conversations.models import InboundMedia, InboundMessage
from policies.payment_reports import check_payment_report, payment_method
from quita.clock import start_of_day
from tools.base import ToolContext, ToolResult, ToolSpec, refused_by
from tools.ledger import debtor_id

NAME = "report_payment"
LOOKBACK_DAYS = 7


def report_payment(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    customer_id = debtor_id(ctx)
    since = start_of_day(ctx.today - timedelta(LOOKBACK_DAYS))
    payments = payments_since(ctx.session, customer_id, since)
    if payments:
        latest = payments[0]
        data = {"found": True, "amount": f"{latest.amount:.2f}", "paid_on": _day(latest.paid_at)}
        result = ToolResult(NAME, True, data=data)
        result.grounding.amounts.add(latest.amount)
        result.grounding.dates.add(latest.paid_at.date())
        return result
    return _record_report(ctx, args)


def _record_report(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    customer_id = debtor_id(ctx)
    rules = ctx.policy.payment_reports
    method = payment_method(str(args.get("method") or ctx.extras.get("inbound_text") or ""))
    facts = payment_report_facts(ctx.session, customer_id, ctx.today, rules)
    decision = check_payment_report(method, facts, rules, ctx.today, ctx.policy.calendar)
    receipt = _receipt_media_id(ctx)
    if not decision.ok or decision.until is None:
        return refused_by(NAME, decision)
    report, _ = register_payment_report(
        ctx.session,
        customer_id,
        method,
        decision.until,
        ctx.key(NAME),
        receipt_media_id=receipt,
        reported_at=ctx.now,
    )
    if receipt is not None and report.receipt_media_id is None and report.id is not None:
        attach_receipt(ctx.session, report.id, receipt)
    data = {
        "found": False,
        "method": method,
        "receipt_received": receipt is not None,
        "reminders_paused_until": decision.until.isoformat(),
        "message": decision.reason,
    }
    result = ToolResult(NAME, True, data=data)
    result.grounding.dates.add(decision.until)
    return result


def _receipt_media_id(ctx: ToolContext) -> int | None:
    """The file attached to the message being answered (a receipt photo or PDF), if any."""
    query = (
        select(InboundMedia.id)
        .join(InboundMessage, col(InboundMessage.id) == col(InboundMedia.message_id))
        .where(col(InboundMessage.wamid) == ctx.idempotency_base)
    )
    found: int | None = ctx.session.exec(query).first()
    return found


def _day(moment: Any) -> str:
    return str(moment.date().isoformat())


SPEC = ToolSpec(
    name=NAME,
    description=(
        "O devedor diz que já pagou. Procura o pagamento; se não achar, registra o aviso, "
        "pausa os lembretes pelo prazo de compensação e pede o comprovante."
    ),
    parameters={
        "type": "object",
        "properties": {
            "method": {"type": "string", "description": "pix, boleto, cartão... (opcional)"}
        },
        "additionalProperties": False,
    },
    run=report_payment,
)
